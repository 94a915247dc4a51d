import { stringify } from 'yaml';
import type { Article } from '../article.ts';

function numbers(article: Article, kind: 'introduction' | 'conclusion'): number[] {
  return article.passages.filter((p) => p.section === kind).map((p) => p.index);
}

/** Escapes a paragraph that would otherwise read as a heading, a footnote or a list item. */
function escapeParagraph(text: string): string {
  return /^[#[\-\\>*+]/.test(text) ? `\\${text}` : text;
}

/**
 * Writes an article as Markdown with YAML front matter that {@link importArticle} reads back
 * to an equivalent article (same id, metadata, passages, sections, scenarios and sources).
 * Registration's `export` command uses it.
 * @example exportMarkdown(article).startsWith('---\nid: ') // true
 */
export function exportMarkdown(article: Article): string {
  const front: Record<string, unknown> = { id: article.id, title: article.title };
  if (article.kicker) front.kicker = article.kicker;
  if (article.author) {
    front.author = article.author.name;
    if (article.author.bio) front.author_bio = article.author.bio;
  }
  if (article.date) front.date = article.date;
  front.language = article.language;
  if (article.otherLanguages.length > 0) front.other_languages = article.otherLanguages;
  if (article.keyPoints.length > 0) front.key_points = article.keyPoints;
  front.sections = { introduction: numbers(article, 'introduction'), conclusion: numbers(article, 'conclusion') };
  const indexOf = new Map(article.passages.map((p) => [p.id, p.index]));
  front.scenarios = article.scenarios.map((s) => ({
    slug: s.slug,
    ordinal: s.ordinal,
    label: s.label,
    aliases: s.aliases,
    paragraphs: s.passageIds.map((id) => indexOf.get(id)).filter((n) => n !== undefined),
  }));
  front.sources = article.sources.map((s) => {
    const out: Record<string, unknown> = { n: s.n };
    if (s.author) out.author = s.author;
    out.title = s.title;
    out.outlet = s.outlet;
    if (s.url) out.url = s.url;
    if (s.accessed) out.accessed = s.accessed;
    return out;
  });
  const yaml = stringify(front, { lineWidth: 0, flowCollectionPadding: false });
  const body = article.passages.map((p) => escapeParagraph(p.text)).join('\n\n');
  return `---\n${yaml}---\n\n# ${article.title}\n\n${body}\n`;
}
