import { describe, expect, it } from 'vitest';
import { importArticle } from '../../src/core/import/index.ts';
import { extractHtml } from '../../src/register/html.ts';
import { articleFromFile, BUNDLED_FILE, SECOND_FILE } from '../helpers/library.ts';
import { articlePage } from './html-page.ts';

function extracted(html: string) {
  const page = extractHtml(html, 'page.html');
  if (!page.ok) throw new Error(page.message);
  const result = importArticle(page.markdown, { format: 'markdown' });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return { article: result.article, warnings: result.warnings, markdown: page.markdown };
}

const withoutLines = <T extends { line?: number }>(xs: T[]) => xs.map(({ line: _line, ...rest }) => rest);

describe('extractHtml', () => {
  const bundled = articleFromFile(BUNDLED_FILE);

  it('keeps the kicker, title, author, key points, every paragraph and every footnote of the bundled briefing as a web page', () => {
    const { article, warnings } = extracted(articlePage(bundled));
    expect(article.title).toBe(bundled.title);
    expect(article.kicker).toBe('Analysis');
    expect(article.author?.name).toBe('Ergün Mamedov');
    expect(article.keyPoints).toEqual(bundled.keyPoints);
    expect(article.passages.map((p) => p.text)).toEqual(bundled.passages.map((p) => p.text));
    expect(article.passages.map((p) => p.citations)).toEqual(bundled.passages.map((p) => p.citations));
    expect(withoutLines(article.sources)).toEqual(withoutLines(bundled.sources));
    expect(article.scenarios.map((s) => s.slug)).toEqual(bundled.scenarios.map((s) => s.slug));
    expect(article.id).toBe(bundled.id);
    expect(warnings).toEqual([]);
  });

  it('numbers footnotes printed as an ordered list and keeps their links', () => {
    const { article } = extracted(articlePage(bundled, { footnotes: 'list' }));
    expect(withoutLines(article.sources)).toEqual(withoutLines(bundled.sources));
  });

  it('reads a page made from a Markdown briefing the same way', () => {
    const second = articleFromFile(SECOND_FILE);
    const { article } = extracted(articlePage(second));
    expect(article.passages.map((p) => p.text)).toEqual(second.passages.map((p) => p.text));
    expect(article.sources).toHaveLength(second.sources.length);
    expect(article.date).toBe(second.date);
  });

  it('leaves out scripts, navigation, share buttons and related posts', () => {
    const { markdown } = extracted(articlePage(bundled));
    for (const noise of ['window.tracker', 'color: red', 'About us', 'Facebook', 'Another post about', 'All rights reserved'])
      expect(markdown).not.toContain(noise);
  });

  it('escapes paragraphs that would read as Markdown headings or lists', () => {
    const html = `<html><body><article><h1>Heading Test</h1><p># not a heading but a paragraph that is long enough to count as article text for the extractor.</p><p>- not a list item either, but the second paragraph of a page with enough words to be read.</p><p>${'A third paragraph of ordinary prose. '.repeat(8)}</p></article></body></html>`;
    const { article } = extracted(html);
    expect(article.passages[0]?.text.startsWith('# not a heading')).toBe(true);
    expect(article.passages[1]?.text.startsWith('- not a list item')).toBe(true);
  });

  it('reports a page without an article', () => {
    const login =
      '<html><head><title>Sign in</title></head><body><nav><a href="/">Home</a></nav><form><input name="user"><button>Sign in</button></form></body></html>';
    expect(extractHtml(login, 'https://example.org/login')).toEqual({
      ok: false,
      code: 'no-article',
      message:
        "https://example.org/login has no article: no body of paragraphs was found in the HTML page (an index, login or consent page?). Register the article's own page, or save its text as a .txt file",
    });
  });
});
