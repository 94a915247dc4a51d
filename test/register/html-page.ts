import type { Article } from '../../src/core/article.ts';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A footnote line as the bundled web format prints it. */
function footnote(s: Article['sources'][number]): string {
  const parts = [
    s.author,
    `“${s.title}”`,
    s.outlet,
    s.url,
    s.accessed ? `(Access Date: ${s.accessed.split('-').reverse().join('.')})` : undefined,
  ].filter(Boolean);
  return `[${s.n}] ${parts.join(', ')}.`;
}

/**
 * An article page laid out like a typical publishing site: navigation, header with kicker,
 * title and key points, share buttons, body with superscript footnote markers, footnotes,
 * the author box, related posts and a footer.
 */
export function articlePage(article: Article, options: { footnotes?: 'paragraphs' | 'list' } = {}): string {
  const body = article.passages.map((p) => `<p>${esc(p.text).replace(/\[(\d+)\]/g, '<sup>$1</sup>')}</p>`).join('\n');
  const notes =
    options.footnotes === 'list'
      ? `<h3>Notes</h3><ol class="footnotes">${article.sources.map((s) => `<li id="fn${s.n}">${esc(footnote(s).replace(/^\[\d+\]\s*/, ''))}</li>`).join('')}</ol>`
      : article.sources.map((s) => `<p>${esc(footnote(s))}</p>`).join('\n');
  return `<!doctype html>
<html lang="en-US"><head><meta charset="utf-8"><title>${esc(article.title)} - Example Center</title>
<meta property="og:title" content="${esc(article.title)}">
${article.date ? `<meta property="article:published_time" content="${article.date}T08:00:00+03:00">` : ''}
<script>window.tracker = { id: 1 }</script><style>body { color: red }</style></head>
<body>
<header class="site-header"><nav><ul><li><a href="/">Home</a></li><li><a href="/analysis">Analysis</a></li><li><a href="/about">About us</a></li></ul></nav></header>
<main><article class="post">
<div class="entry-header"><span class="kicker">${esc(article.kicker ?? 'Analysis')}</span>
<h1 class="entry-title">${esc(article.title)}</h1>
<ul class="key-points">${article.keyPoints.map((k) => `<li>${esc(k)}</li>`).join('')}</ul>
<div class="share-buttons"><a href="https://twitter.com/share">Share</a><a href="https://facebook.com/share">Facebook</a></div>
</div>
<div class="entry-content">
${body}
${notes}
</div>
${article.author ? `<div class="author-box"><h4 class="author-name">${esc(article.author.name)}</h4><p>${esc(article.author.bio ?? 'An analyst writing about regional politics and the foreign policy of the great powers.')}</p></div>` : ''}
</article>
<section class="related-posts"><h3>Similar Posts</h3><ul><li><a href="/a">Another post about something else entirely</a></li></ul></section>
</main>
<footer><p>© Example Center. All rights reserved.</p></footer>
</body></html>`;
}
