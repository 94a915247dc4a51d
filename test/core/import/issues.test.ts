import { describe, expect, it } from 'vitest';
import { importArticle } from '../../../src/core/import/index.ts';
import { ok } from './helpers.ts';

function lines(...rows: string[]): string {
  return rows.join('\n');
}

describe('import errors', () => {
  it('an empty text is an empty error on line 1', () => {
    for (const text of ['', '   \n\n\t  \n']) {
      const result = importArticle(text);
      expect(result).toEqual({
        ok: false,
        errors: [{ code: 'empty', line: 1, message: 'the article is empty: paste its title, then its paragraphs' }],
        warnings: [],
      });
    }
  });

  it('a title with nothing after it is a no-body error', () => {
    const result = importArticle('Just A Title');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors.map((e) => [e.code, e.line])).toEqual([['no-body', 1]]);
  });

  it('markdown with front matter but no title is a no-title error', () => {
    const result = importArticle(lines('---', 'kicker: Analysis', '---', '', 'Only a paragraph.'), { filename: 'a.md' });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.errors).toEqual([
        { code: 'no-title', line: 1, message: 'no title: the first line of the article should be its title' },
      ]);
    }
  });

  it('an id option that is not a slug is a bad-id error naming it', () => {
    const result = importArticle('Title Here\n\nBody.', { id: 'Not A Slug' });
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.errors[0]?.message).toBe('id "Not A Slug" is not a slug: use lowercase letters, digits and dashes, like "not-a-slug"');
  });

  it('front matter that does not parse is an error with its line', () => {
    const result = importArticle(lines('---', 'title: Fine', 'kicker: "unclosed', '---', 'Body.'), { filename: 'x.md' });
    expect(result).toEqual({
      ok: false,
      errors: [{ code: 'bad-front-matter', line: 3, message: 'the front matter does not parse on line 3: Missing closing "quote' }],
      warnings: [],
    });
  });

  it('front matter that is never closed is an error on its opening line', () => {
    const result = importArticle(lines('---', 'title: Fine', '', 'Body.'), { filename: 'x.md' });
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.errors).toEqual([
        {
          code: 'bad-front-matter',
          line: 1,
          message: 'the front matter opened with --- on line 1 is never closed: add a --- line after it',
        },
      ]);
  });
});

describe('import warnings', () => {
  const text = lines(
    'Analysis', //                                            1
    '',
    'Ports and Pipelines', //                                 3
    '',
    'The first paragraph cites a source.[1]', //              5
    '',
    'The second cites one that does not exist.[12]', //       7
    '',
    '[1] “Real”, Outlet, https://example.org/real, (Access Date: 23.05.2025).', // 9
    '[2] “Never cited”, Outlet, https://example.org/two, (Access Date: 23.05.2025).', // 10
    '[1] “Again”, Outlet, https://example.org/again, (Access Date: 23.05.2025).', // 11
    '[3] “Bad link”, Outlet, htps//nowhere, https://exa mple.org, (Access Date: 23.05.2025).', // 12
    '[4] “Bad date”, Outlet, https://example.org/four, (Access Date: 31.02.2025).', // 13
  );
  const result = importArticle(text);
  const article = ok(result);
  const found = (code: string) => result.warnings.filter((w) => w.code === code).map((w) => [w.line, w.message]);

  it('a marker with no source is a missing-source warning on the paragraph line', () => {
    expect(found('missing-source')).toEqual([[7, 'marker [12] has no source: this article lists sources 1-4']]);
    expect(article.passages[1]?.citations).toEqual([12]);
  });

  it('a source never cited is an uncited-source warning on its line', () => {
    expect(found('uncited-source')).toEqual([
      [10, 'source [2] "Never cited" is never cited in the text'],
      [12, 'source [3] "Bad link" is never cited in the text'],
      [13, 'source [4] "Bad date" is never cited in the text'],
    ]);
  });

  it('a repeated source number is a duplicate-source warning and the first one is kept', () => {
    expect(found('duplicate-source')).toEqual([[11, 'source [1] is listed twice (first on line 9): keeping the first']]);
    expect(article.sources.find((s) => s.n === 1)?.title).toBe('Real');
  });

  it('a URL that does not parse is a bad-url warning naming it, and the source keeps no url', () => {
    expect(found('bad-url')).toEqual([[12, 'source [3]: URL "https://exa" does not parse (expected http:// or https://)']]);
    expect(article.sources.find((s) => s.n === 3)?.url).toBeUndefined();
  });

  it('a date that does not exist is a bad-date warning naming it', () => {
    expect(found('bad-date')).toEqual([[13, 'source [4]: access date "31.02.2025" does not parse (expected DD.MM.YYYY or YYYY-MM-DD)']]);
    expect(article.sources.find((s) => s.n === 4)?.accessed).toBeUndefined();
  });

  it('a javascript: link is never accepted as a source URL', () => {
    const r = importArticle(lines('Title Of It', '', 'Text.[1]', '', '[1] “T”, O, javascript://alert(1), (Access Date: 23.05.2025).'));
    expect(ok(r).sources[0]?.url).toBeUndefined();
    expect(r.warnings.map((w) => w.code)).toEqual(['bad-url']);
  });

  it('markdown front matter with a bad date, URL and source number warns on their lines', () => {
    const md = lines(
      '---', //                       1
      'title: Notes', //              2
      'date: 2025-13-40', //          3
      'sources:', //                  4
      '  - n: 1', //                  5
      '    title: One', //            6
      '    url: not a url', //        7
      '    accessed: yesterday', //   8
      '  - n: zero', //               9
      '---',
      '',
      'Body text.[1]',
    );
    const r = importArticle(md, { filename: 'notes.md' });
    expect(r.warnings.map((w) => [w.code, w.line])).toEqual([
      ['bad-date', 3],
      ['bad-url', 7],
      ['bad-date', 8],
      ['bad-source', 9],
    ]);
    expect(r.warnings[1]?.message).toBe('source [1]: URL "not a url" does not parse (expected http:// or https://)');
  });
});
