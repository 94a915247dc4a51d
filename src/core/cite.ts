import type { Article, Passage } from './article.ts';
import type { Excerpt, SourceRef } from './reply.ts';

/** A whole passage as an excerpt (scenarios, passages that cite a source). */
export function passageExcerpt(passage: Passage, label?: string): Excerpt {
  return {
    articleId: passage.articleId,
    passageId: passage.id,
    text: passage.text,
    passageText: passage.text,
    citations: [...passage.citations],
    highlights: [],
    ...(label ? { label } : {}),
  };
}

/** Resolves footnote numbers to displayable sources, in the order given, skipping unknown numbers. */
export function sourceRefs(article: Article, numbers: Iterable<number>): SourceRef[] {
  const out: SourceRef[] = [];
  const seen = new Set<number>();
  for (const n of numbers) {
    if (seen.has(n)) continue;
    seen.add(n);
    const s = article.sources.find((x) => x.n === n);
    if (!s) continue;
    out.push({
      articleId: article.id,
      n: s.n,
      title: s.title,
      outlet: s.outlet,
      ...(s.url ? { url: s.url } : {}),
      ...(s.accessed ? { accessed: s.accessed } : {}),
      ...(s.author ? { author: s.author } : {}),
    });
  }
  return out;
}

/** The sources cited by a list of excerpts, in order of first citation. */
export function sourcesOfExcerpts(article: Article, excerpts: readonly Excerpt[]): SourceRef[] {
  return sourceRefs(
    article,
    excerpts.flatMap((e) => e.citations),
  );
}

/** "Title — Author" for footers. */
export function byline(article: Article): string {
  return article.author ? `${article.title} — ${article.author.name}` : article.title;
}
