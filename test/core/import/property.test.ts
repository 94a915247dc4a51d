import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { articleSchema, type ImportResult } from '../../../src/core/article.ts';
import { exportMarkdown, importArticle } from '../../../src/core/import/index.ts';
import { bundledText, comparable } from './helpers.ts';

const FRAGMENTS = [
  'Analysis',
  'Paylaş',
  'Share',
  'This post is also available in: Türkçe Русский',
  'Similar Posts',
  '---',
  '...',
  '[1]',
  '[2] ',
  '[0]',
  '[99999]',
  '[^3]: ',
  '.[1]',
  '“',
  '”',
  '"',
  '‘Struggle’',
  'https://example.org/a',
  'http://',
  'www.',
  'javascript:alert(1)',
  ', (Access Date: 23.05.2025).',
  '(Access Date: 99.99.9999)',
  'Accessed 31 February 2025',
  'In the first scenario regarding ',
  'In the second scenario',
  'Scenario 3: ',
  'In this scenario, ',
  'Central Asia',
  'ASEAN',
  'China',
  '## Scenario: Gulf {#gulf}',
  '## Conclusion',
  '# Title',
  '- item',
  'In conclusion, ',
  'Ergün MAMEDOV',
  'title: x',
  'key_points: [',
  'scenarios:\n  - slug: a\n    paragraphs: [1, 99]',
  'sources: 7',
  '<!channel> @everyone <@U123>',
  '\u0000',
  '\uFEFF',
  '\u00A0',
  '\u2028',
  'e\u0301',
  '\t',
  ' ',
  '\n',
  '\r\n',
  '\n\n',
  '.',
  ',',
];

const fragmentText = fc
  .array(fc.oneof(fc.constantFrom(...FRAGMENTS), fc.string({ maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 6 })), {
    maxLength: 60,
  })
  .map((parts) => parts.join(''));

const bundledLines = bundledText().split('\n');
const mutatedBundle = fc
  .array(fc.nat(bundledLines.length - 1), { minLength: 0, maxLength: 80 })
  .chain((indexes) => fc.tuple(fc.constant(indexes), fc.constantFrom('\n', '\r\n', '\n\n')))
  .map(([indexes, sep]) => indexes.map((i) => bundledLines[i]).join(sep));

const options = fc.record(
  {
    filename: fc.constantFrom('a.txt', 'b.md', 'c.markdown', 'noext', 'd.MD'),
    format: fc.constantFrom('web' as const, 'markdown' as const),
    id: fc.constantFrom('ok-id', 'Bad Id', ''),
  },
  { requiredKeys: [] },
);

function checkResult(text: string, result: ImportResult): void {
  expect(typeof result.ok).toBe('boolean');
  const lineCount = text.split(/\r\n|\r|\n|\u2028|\u2029/).length;
  for (const issue of [...result.warnings, ...(result.ok ? [] : result.errors)]) {
    expect(issue.code).not.toBe('unreadable');
    expect(issue.message.length).toBeGreaterThan(0);
    if (issue.line !== undefined) {
      expect(issue.line).toBeGreaterThanOrEqual(1);
      expect(issue.line).toBeLessThanOrEqual(lineCount);
    }
  }
  if (!result.ok) {
    expect(result.errors.length).toBeGreaterThan(0);
    return;
  }
  const article = result.article;
  expect(articleSchema.safeParse(article).success).toBe(true);
  expect(new Set(article.passages.map((p) => p.id)).size).toBe(article.passages.length);
  const ids = new Set(article.passages.map((p) => p.id));
  for (const s of article.scenarios) for (const id of s.passageIds) expect(ids.has(id)).toBe(true);
}

describe('importArticle on arbitrary text', () => {
  it('never throws and always returns a well-formed result for random fragments', () => {
    fc.assert(
      fc.property(fragmentText, options, (text, opts) => {
        checkResult(text, importArticle(text, opts));
      }),
      { numRuns: 400 },
    );
  });

  it('never throws on arbitrary Unicode strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => {
        checkResult(text, importArticle(text));
        checkResult(text, importArticle(text, { format: 'markdown' }));
      }),
      { numRuns: 300 },
    );
  });

  it('reads any shuffled selection of the bundled briefing lines without throwing', () => {
    fc.assert(
      fc.property(mutatedBundle, (text) => {
        checkResult(text, importArticle(text));
      }),
      { numRuns: 200 },
    );
  });

  it('exports every article it imports to Markdown that imports back to the same article', () => {
    fc.assert(
      fc.property(fc.oneof(fragmentText, mutatedBundle), (text) => {
        const first = importArticle(text);
        if (!first.ok) return;
        const again = importArticle(exportMarkdown(first.article), { filename: 'export.md' });
        expect(again.ok).toBe(true);
        if (again.ok) expect(comparable(again.article)).toEqual(comparable(first.article));
      }),
      { numRuns: 300 },
    );
  });
});
