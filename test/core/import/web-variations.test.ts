import { describe, expect, it } from 'vitest';
import { importArticle } from '../../../src/core/import/index.ts';
import { bundledText, comparable, ok } from './helpers.ts';

const original = bundledText();
const base = ok(importArticle(original));

function variant(edit: (text: string) => string) {
  return ok(importArticle(edit(original)));
}

function dropLines(text: string, test: (line: string) => boolean): string {
  return text
    .split('\n')
    .filter((l) => !test(l))
    .join('\n');
}

describe('variations of the pasted web format', () => {
  it('reads the same article from CRLF line ends', () => {
    expect(comparable(variant((t) => t.replace(/\n/g, '\r\n')))).toEqual(comparable(base));
  });

  it('reads the same article with a byte-order mark, tabs and non-breaking spaces', () => {
    const article = variant((t) => `\uFEFF${t.replace(/ the /g, ' the\u00A0').replace(/^Paylaş$/m, '\tPaylaş  ')}`);
    expect(comparable(article)).toEqual(comparable(base));
  });

  it('reads the same article with extra blank lines everywhere', () => {
    const article = variant((t) => `\n\n\n${t.replace(/\n\n/g, '\n\n\n\n')}\n\n\n`);
    expect(comparable(article)).toEqual(comparable(base));
  });

  it('reads the same article from decomposed Unicode (NFD) and returns NFC', () => {
    const article = variant((t) => t.normalize('NFD'));
    expect(comparable(article)).toEqual(comparable(base));
    expect(article.author?.name).toBe('Ergün Mamedov'.normalize('NFC'));
  });

  it('reads straight quotes around source titles like curly ones', () => {
    const article = variant((t) => t.replace(/^(\[\d+\][^“]*)“([^\n]*)”/gm, '$1"$2"'));
    expect(article.sources.map((s) => [s.title, s.outlet, s.author])).toEqual(base.sources.map((s) => [s.title, s.outlet, s.author]));
  });

  it('reads an article with no key points', () => {
    const points = new Set(base.keyPoints);
    const article = variant((t) => dropLines(t, (l) => points.has(l)));
    expect(article.keyPoints).toEqual([]);
    expect(article.title).toBe(base.title);
    expect(article.passages).toHaveLength(15);
  });

  it('reads an article with no author block', () => {
    const article = variant((t) => t.slice(0, t.indexOf('Ergün MAMEDOV')));
    expect(article.author).toBeUndefined();
    expect(article.sources).toHaveLength(9);
    expect(article.passages).toHaveLength(15);
  });

  it('reads an article with no kicker line', () => {
    const article = variant((t) => t.replace(/^Analysis\n\n/, ''));
    expect(article.kicker).toBeUndefined();
    expect(article.title).toBe(base.title);
    expect(article.keyPoints).toHaveLength(3);
  });

  it('reads an article with no share line, ending the key points at the languages line', () => {
    const article = variant((t) => dropLines(t, (l) => l === 'Paylaş'));
    expect(article.keyPoints).toEqual(base.keyPoints);
    expect(article.otherLanguages).toEqual(['Türkçe', 'Русский']);
    expect(article.passages).toHaveLength(15);
  });

  it('accepts "Share" as the share line', () => {
    expect(variant((t) => t.replace('Paylaş', 'Share')).keyPoints).toEqual(base.keyPoints);
  });

  it('takes the block of short sentences under the title as key points when there is no share or languages line', () => {
    const article = variant((t) => dropLines(t, (l) => l === 'Paylaş' || l.startsWith('This post is also available')));
    expect(article.keyPoints).toEqual(base.keyPoints);
    expect(article.otherLanguages).toEqual([]);
    expect(article.passages).toHaveLength(15);
  });

  it('reads paragraphs with no blank lines between them as separate passages', () => {
    const article = variant((t) => {
      const start = t.indexOf('As of 2025, when');
      const end = t.indexOf('\n\n\n[1]');
      return t.slice(0, start) + t.slice(start, end).replace(/\n\n/g, '\n') + t.slice(end);
    });
    expect(article.passages.map((p) => p.text)).toEqual(base.passages.map((p) => p.text));
  });

  it('joins a hard-wrapped paragraph back into one passage', () => {
    const article = variant((t) =>
      t.replace('the great power rivalry in its foreign policy, ', 'the great power rivalry\nin its foreign policy, '),
    );
    expect(article.passages).toHaveLength(15);
    expect(article.passages[0]?.text).toBe(base.passages[0]?.text);
  });

  it('reads an author block that follows the body when there are no sources', () => {
    const text = [
      'Opinion',
      '',
      'A Short Note',
      '',
      'First paragraph of the note.',
      '',
      'Second paragraph of the note.',
      '',
      'Ana SILVA',
      'Ana Silva is a writer.',
    ].join('\n');
    const article = ok(importArticle(text));
    expect(article.author).toEqual({ name: 'Ana Silva', bio: 'Ana Silva is a writer.' });
    expect(article.passages.map((p) => p.text)).toEqual(['First paragraph of the note.', 'Second paragraph of the note.']);
  });

  it('reads a title followed directly by paragraphs', () => {
    const article = ok(
      importArticle('Energy Security in the Black Sea\n\nThe first paragraph talks about gas.\n\nThe second one about ports.'),
    );
    expect(article.title).toBe('Energy Security in the Black Sea');
    expect(article.kicker).toBeUndefined();
    expect(article.keyPoints).toEqual([]);
    expect(article.passages).toHaveLength(2);
    expect(article.id).toBe('energy-security-in-the-black-sea');
  });

  it('reads access dates and URLs printed in other common ways', () => {
    const text = [
      'Title Of Note',
      '',
      'A paragraph.[1][2][3]',
      '',
      '[1] “One”, Outlet A, www.example.org/one, (Accessed 23 May 2025).',
      '[2] Two, Outlet B, https://example.org/two, Retrieved on May 24, 2025',
      '[3] “Three”, Outlet C, https://example.org/three, (Access Date: 2025-05-25)',
    ].join('\n');
    const article = ok(importArticle(text));
    expect(article.sources.map((s) => [s.title, s.outlet, s.url, s.accessed])).toEqual([
      ['One', 'Outlet A', 'https://www.example.org/one', '2025-05-23'],
      ['Two', 'Outlet B', 'https://example.org/two', '2025-05-24'],
      ['Three', 'Outlet C', 'https://example.org/three', '2025-05-25'],
    ]);
  });
});

describe('the author block after the sources', () => {
  const names = 'Ergün MAMEDOV\nErgün MAMEDOV\n';

  it.each([
    ['a mention before the name, printed twice', '@here Ergün MAMEDOV\n@here Ergün MAMEDOV\n'],
    ['Markdown bold, printed once', '**Ergün MAMEDOV**\n'],
    ['HTML bold and a Slack broadcast', '<b>Ergün Mamedov</b> <!channel>\n'],
    ['a mention after a name in title case, printed once', 'Ergün Mamedov @everyone\n'],
    ['a Discord user mention', '<@123456789012345678> _Ergün Mamedov_\n'],
    ['a Markdown link, printed twice', '[Ergün MAMEDOV](https://evil.example/x)\n[Ergün MAMEDOV](https://evil.example/x)\n'],
    ['a Markdown link and a Slack broadcast, printed once', '[Ergün MAMEDOV](https://evil.example/x) <!here>\n'],
    ['a Markdown heading, printed twice', '## Ergün MAMEDOV\n## Ergün MAMEDOV\n'],
  ])('is found by its shape with %s, and the last source keeps its access date', (_what, nameLines) => {
    const result = importArticle(original.replace(names, nameLines));
    const article = ok(result);
    expect(article.author?.name).toBe('Ergün Mamedov');
    expect(article.author?.bio).toMatch(/^Ergün Mamedov completed his education/);
    expect(article.sources.at(-1)).toMatchObject({ n: 9, outlet: 'EADaily', accessed: '2025-05-23' });
    expect(result.warnings).toEqual([]);
  });

  it('is found by its shape right after the last source, with no blank line between them', () => {
    const glued = original.replace(
      /(\(Access Date: 23\.05\.2025\)\.)\n\n(Ergün MAMEDOV\n)Ergün MAMEDOV\n/,
      '$1\n[Ergün MAMEDOV](https://evil.example/x) @here\n',
    );
    expect(glued).not.toBe(original);
    const result = importArticle(glued);
    const article = ok(result);
    expect(article.author?.name).toBe('Ergün Mamedov');
    expect(article.sources.at(-1)).toMatchObject({ n: 9, outlet: 'EADaily', accessed: '2025-05-23' });
    expect(result.warnings).toEqual([]);
  });

  it('is not glued onto the last source when it cannot be read as a name: the source ends at its access date', () => {
    const result = importArticle(original.replace(names, '@here @everyone\n'));
    const article = ok(result);
    expect(article.sources.at(-1)).toMatchObject({ n: 9, outlet: 'EADaily', accessed: '2025-05-23' });
    expect(article.sources.at(-1)?.outlet).not.toContain('@here');
    expect(result.warnings.map((w) => w.code)).toContain('ignored-text');
  });
});
