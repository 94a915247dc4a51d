import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { importArticle } from '../../../src/core/import/index.ts';
import {
  LONG_PARAGRAPH_CHARS,
  SENTENCE_CHECK_MIN_WORDS,
  SPLIT_PASSAGE_CHARS,
  splitLongParagraphs,
} from '../../../src/core/import/long-paragraphs.ts';
import { ok } from './helpers.ts';

/** `count` sentences of about 90 characters, footnote markers on some. */
function sentences(count: number, from = 0): string[] {
  return Array.from(
    { length: count },
    (_, i) =>
      `Sentence ${from + i} reports that the ${i % 2 ? 'railway' : 'pipeline'} carried more freight than the year before.${i % 7 === 0 ? `[${(i % 3) + 1}]` : ''}`,
  );
}

const SOURCES =
  '[1] “One”, Outlet, https://example.org/1, (Access Date: 01.06.2025).\n\n[2] “Two”, Outlet, https://example.org/2, (Access Date: 01.06.2025).\n\n[3] “Three”, Outlet, https://example.org/3, (Access Date: 01.06.2025).';

describe('splitLongParagraphs', () => {
  it('leaves paragraphs of ordinary length alone', () => {
    const paragraphs = [{ text: sentences(10).join(' '), line: 3 }];
    expect(splitLongParagraphs(paragraphs)).toEqual({ paragraphs, origin: [0], errors: [], warnings: [] });
  });

  it('cuts a paragraph far longer than any real one into passages of whole sentences, with a warning naming its line', () => {
    const text = sentences(300).join(' ');
    const { paragraphs, origin, errors, warnings } = splitLongParagraphs([
      { text: 'Short opening.', line: 3 },
      { text, line: 5 },
    ]);
    expect(errors).toEqual([]);
    expect(paragraphs.length).toBeGreaterThan(text.length / SPLIT_PASSAGE_CHARS);
    expect(origin).toEqual([0, ...paragraphs.slice(1).map(() => 1)]);
    expect(
      paragraphs
        .slice(1)
        .map((p) => p.text)
        .join(' '),
    ).toBe(text);
    for (const p of paragraphs.slice(1)) {
      expect(p.line).toBe(5);
      expect(p.text.length).toBeLessThanOrEqual(SPLIT_PASSAGE_CHARS);
      expect(p.text).toMatch(/^Sentence \d+ .*(?:\.|\.\[\d\])$/);
    }
    expect(warnings).toEqual([
      {
        code: 'long-paragraph',
        line: 5,
        message: `a paragraph of ${text.length.toLocaleString('en-US')} characters is far longer than any real one (over 5,000): it was split at sentence ends into ${paragraphs.length - 1} passages. Check that the text kept its paragraph breaks`,
      },
    ]);
  });

  it('refuses a paragraph that runs on far too long without ending a sentence', () => {
    const text = `${'words without any end '.repeat(400)}and then. A sentence.`;
    const { errors, paragraphs } = splitLongParagraphs([{ text, line: 7 }]);
    expect(paragraphs).toEqual([]);
    expect(errors).toEqual([
      {
        code: 'no-sentences',
        line: 7,
        message: `${(text.indexOf('then.') + 5).toLocaleString('en-US')} characters run on without ending a sentence ("words without any end words without any…"): this does not read as an article. Paste the briefing's text with its sentences (ending in . ! or ?) and paragraphs`,
      },
    ]);
  });

  it('refuses a body of ordinary paragraphs that hardly ever ends a sentence (a list of words)', () => {
    const vocabulary = ['china', 'energy', 'asia', 'trade', 'region', 'policy', 'market', 'power'];
    const para = (k: number) => Array.from({ length: 40 }, (_, i) => vocabulary[(i * 3 + k) % 8]).join(' ');
    const paragraphs = Array.from({ length: 10 }, (_, k) => ({ text: para(k), line: 3 + 2 * k }));
    paragraphs[4] = { text: `${para(4)}. Then more`, line: 11 };
    const { errors } = splitLongParagraphs(paragraphs);
    expect(errors).toEqual([
      {
        code: 'no-sentences',
        line: 3,
        message: `the text has no sentence structure: its 402 words end only 1 sentence ("${para(0).slice(0, 40).trim()}…"), where an article ends one every 20-35 words: this does not read as an article. Paste the briefing's text with its sentences (ending in . ! or ?) and paragraphs`,
      },
    ]);
  });

  it('accepts bullet points without full stops beside prose, and short texts without any', () => {
    const bullets = Array.from({ length: 12 }, (_, i) => ({
      text: `Rail freight between the two ports grew in quarter ${i}`,
      line: 3 + i,
    }));
    const prose = sentences(12).map((text, i) => ({ text, line: 20 + i }));
    expect(splitLongParagraphs([...bullets, ...prose]).errors).toEqual([]);
    const short = Array.from({ length: 3 }, (_, i) => ({ text: 'a heading of a few words without a full stop', line: i }));
    expect(short.reduce((n, p) => n + p.text.split(' ').length, 0)).toBeLessThan(SENTENCE_CHECK_MIN_WORDS);
    expect(splitLongParagraphs(short).errors).toEqual([]);
  });

  it('keeps every sentence, in order, and cuts only between sentences (any lengths)', () => {
    const sentence = fc
      .tuple(fc.integer({ min: 1, max: 600 }), fc.constantFrom('.', '!', '?', '.[3]'))
      .map(([n, end]) => `Word${'x'.repeat(n)}${end}`);
    fc.assert(
      fc.property(fc.array(sentence, { minLength: 1, maxLength: 120 }), (list) => {
        const text = list.join(' ');
        const { paragraphs, errors } = splitLongParagraphs([{ text, line: 1 }]);
        expect(errors).toEqual([]);
        expect(paragraphs.map((p) => p.text).join(' ')).toBe(text);
        if (text.length <= LONG_PARAGRAPH_CHARS) expect(paragraphs).toHaveLength(1);
        else for (const p of paragraphs) expect(p.text.length).toBeLessThanOrEqual(SPLIT_PASSAGE_CHARS);
      }),
      { numRuns: 200 },
    );
  });
});

describe('importing a briefing with a paragraph far longer than any real one', () => {
  const long = sentences(200).join(' ');

  it('makes passages of it that cite their own footnotes', () => {
    const result = importArticle(`A Briefing With One Long Paragraph\n\nAn opening paragraph.\n\n${long}\n\n${SOURCES}\n`);
    const article = ok(result);
    expect(article.passages.length).toBeGreaterThan(5);
    expect(article.passages.every((p) => p.text.length <= SPLIT_PASSAGE_CHARS)).toBe(true);
    expect(article.passages.map((p) => p.id)).toEqual(article.passages.map((_, i) => `${article.id}#p${i + 1}`));
    for (const p of article.passages) expect(p.citations).toEqual([...new Set([...p.text.matchAll(/\[(\d)\]/g)].map((m) => Number(m[1])))]);
    expect(result.warnings.map((w) => w.code)).toEqual(['long-paragraph']);
  });

  it('keeps every passage of a long scenario paragraph in its scenario', () => {
    const article = ok(
      importArticle(
        `A Briefing With A Long Scenario\n\nAn opening paragraph.\n\nIn the first scenario regarding Central Asia, trade grows. ${long}\n\nIn the second scenario regarding the Balkans, ports grow.\n\n${SOURCES}\n`,
      ),
    );
    const [first, second] = article.scenarios;
    expect(first?.slug).toBe('central-asia');
    expect(first?.passageIds.length).toBeGreaterThan(5);
    expect(first?.passageIds).toEqual(article.passages.filter((p) => p.scenario === 'central-asia').map((p) => p.id));
    expect(second?.passageIds).toEqual([article.passages.at(-1)?.id]);
  });

  it('maps Markdown scenario paragraph numbers past a split paragraph', () => {
    const md = [
      '---',
      'title: Markdown With A Long Paragraph',
      'scenarios:',
      '  - slug: gulf-calm',
      '    paragraphs: [3]',
      '---',
      '',
      'Opening paragraph.',
      '',
      long,
      '',
      'The scenario paragraph.',
    ].join('\n');
    const article = ok(importArticle(md, { filename: 'long.md' }));
    expect(article.scenarios[0]?.passageIds).toEqual([article.passages.at(-1)?.id]);
    expect(article.passages.at(-1)?.text).toBe('The scenario paragraph.');
  });
});
