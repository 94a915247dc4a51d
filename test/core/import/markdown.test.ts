import { describe, expect, it } from 'vitest';
import { sectionsOf } from '../../../src/core/article.ts';
import { detectFormat, exportMarkdown, findScenario, importArticle } from '../../../src/core/import/index.ts';
import { bundledText, comparable, fixture, ok } from './helpers.ts';

describe('format detection', () => {
  it('chooses by option, then file extension, then leading front matter', () => {
    expect(detectFormat('---\ntitle: x\n---', { format: 'web' })).toBe('web');
    expect(detectFormat('plain', { filename: 'a.md' })).toBe('markdown');
    expect(detectFormat('plain', { filename: 'a.MARKDOWN' })).toBe('markdown');
    expect(detectFormat('---\ntitle: x\n---', { filename: 'a.txt' })).toBe('web');
    expect(detectFormat('---\r\ntitle: x\r\n---')).toBe('markdown');
    expect(detectFormat('Analysis\n\nTitle')).toBe('web');
  });
});

describe('the second briefing in Markdown', () => {
  const result = importArticle(fixture('second-briefing.md'), { filename: 'second-briefing.md' });
  const article = ok(result);

  it('imports cleanly with its front matter metadata', () => {
    expect(result.warnings).toEqual([]);
    expect(article).toMatchObject({
      id: 'south-caucasus-energy-corridor',
      title: 'The South Caucasus Energy Corridor Between the Caspian and Europe',
      kicker: 'Analysis',
      author: { name: 'Nino Beridze' },
      date: '2025-06-12',
      language: 'en',
      otherLanguages: ['Türkçe', 'Русский'],
      format: 'markdown',
    });
    expect(article.author?.bio).toMatch(/^Nino Beridze is a researcher/);
    expect(article.keyPoints).toHaveLength(3);
  });

  it('reads eight passages, and the footnote list after the body as five sources', () => {
    expect(article.passages).toHaveLength(8);
    expect(article.passages[0]?.line).toBe(18);
    expect(article.sources.map((s) => [s.n, s.outlet, s.accessed])).toEqual([
      [1, 'European Commission', '2025-06-10'],
      [2, 'Caucasus Grid Review', '2025-06-10'],
      [3, 'Transit Observer', '2025-06-11'],
      [4, 'Caspian Energy Review', '2025-06-11'],
      [5, 'Eurasia Policy Monitor', '2025-06-12'],
    ]);
    expect(article.sources[2]?.author).toBe('Giorgi Kapanadze');
    expect(article.sources.every((s) => s.url?.startsWith('https://'))).toBe(true);
  });

  it('takes scenarios and sections from the headings', () => {
    expect(article.scenarios.map((s) => [s.slug, s.ordinal, s.label, s.passageIds])).toEqual([
      ['south-caucasus', 1, 'First scenario: South Caucasus', ['south-caucasus-energy-corridor#p6']],
      ['central-asia', 2, 'Second scenario: Central Asia', ['south-caucasus-energy-corridor#p7']],
    ]);
    expect(sectionsOf(article).map((s) => [s.kind, s.passages.length])).toEqual([
      ['introduction', 1],
      ['body', 4],
      ['scenario', 2],
      ['conclusion', 1],
    ]);
    expect(findScenario(article, 'Central Asia')?.ordinal).toBe(2);
    expect(findScenario(article, 'first')?.slug).toBe('south-caucasus');
  });
});

describe('Markdown front matter', () => {
  const md = [
    '---',
    'title: Ports of the Gulf',
    'author:',
    '  name: Sam Lee',
    '  bio: Writes on shipping.',
    'date: 12 June 2025',
    'key_points: [One point., Two points.]',
    'scenarios:',
    '  - slug: gulf-calm',
    '    label: "Calm seas"',
    '    aliases: [calm]',
    '    paragraphs: [2]',
    'sources:',
    '  - n: 1',
    '    author: A. Writer',
    '    title: Port Data',
    '    outlet: Shipping Weekly',
    '    url: https://shipping.example/data',
    '    accessed: 2025-06-01',
    '---',
    '',
    'Opening paragraph with a claim.[1]',
    '',
    'The scenario paragraph',
    'wraps over two lines.',
  ].join('\n');
  const article = ok(importArticle(md, { filename: 'gulf.md' }));

  it('reads an author object, a spelled-out date and key points in flow style', () => {
    expect(article.author).toEqual({ name: 'Sam Lee', bio: 'Writes on shipping.' });
    expect(article.date).toBe('2025-06-12');
    expect(article.keyPoints).toEqual(['One point.', 'Two points.']);
    expect(article.id).toBe('ports-of-the-gulf');
  });

  it('reads sources from the front matter', () => {
    expect(article.sources).toEqual([
      {
        n: 1,
        author: 'A. Writer',
        title: 'Port Data',
        outlet: 'Shipping Weekly',
        url: 'https://shipping.example/data',
        accessed: '2025-06-01',
        line: 14,
      },
    ]);
  });

  it('takes explicit scenarios with their paragraph numbers, label and aliases', () => {
    expect(article.scenarios).toEqual([
      { slug: 'gulf-calm', ordinal: 1, label: 'Calm seas', aliases: ['calm'], passageIds: ['ports-of-the-gulf#p2'] },
    ]);
    expect(article.passages[1]).toMatchObject({
      text: 'The scenario paragraph wraps over two lines.',
      section: 'scenario',
      scenario: 'gulf-calm',
    });
  });

  it('warns about a scenario paragraph that does not exist', () => {
    const r = importArticle(md.replace('paragraphs: [2]', 'paragraphs: [2, 9]'), { filename: 'gulf.md' });
    expect(r.warnings).toEqual([
      { code: 'bad-scenario', line: 9, message: 'scenario "gulf-calm": paragraph 9 does not exist (the body has paragraphs 1-2)' },
    ]);
  });

  it('takes the title from a # heading and key points from a Key points list when there is no front matter', () => {
    const a = ok(
      importArticle('# Plain Title\n\n## Key points\n\n- First.\n- Second.\n\n## Background\n\nBody text here.', { filename: 'p.md' }),
    );
    expect(a.title).toBe('Plain Title');
    expect(a.keyPoints).toEqual(['First.', 'Second.']);
    expect(a.passages.map((p) => p.text)).toEqual(['Body text here.']);
  });
});

describe('exportMarkdown', () => {
  it('round-trips the bundled briefing to an equivalent article', () => {
    const original = ok(importArticle(bundledText()));
    const markdown = exportMarkdown(original);
    expect(markdown.startsWith('---\nid: central-asia-and-southeast-asia-in-chinas-counter-balancing-strategy\n')).toBe(true);
    const back = importArticle(markdown, { filename: 'export.md' });
    expect(back.warnings).toEqual([]);
    const article = ok(back);
    expect(article.format).toBe('markdown');
    expect(comparable(article)).toEqual(comparable(original));
  });

  it('round-trips the second briefing and the hostile fixture', () => {
    for (const [name, file] of [
      ['second-briefing.md', 'second-briefing.md'],
      ['hostile.txt', 'hostile.txt'],
    ]) {
      const original = ok(importArticle(fixture(file as string), { filename: name }));
      expect(comparable(ok(importArticle(exportMarkdown(original), { filename: 'x.md' })))).toEqual(comparable(original));
    }
  });

  it('escapes paragraphs that would read as headings or footnotes', () => {
    const original = ok(importArticle('Title Of Note\n\nFirst.\n\n# not a heading.\n\n[1] not a footnote either.'));
    expect(original.passages).toHaveLength(2);
    const back = ok(importArticle(exportMarkdown(original), { filename: 'x.md' }));
    expect(back.passages.map((p) => p.text)).toEqual(original.passages.map((p) => p.text));
  });
});
