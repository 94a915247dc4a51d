import { z } from 'zod';

/**
 * The article model every importer produces and every command reads.
 *
 * An article is split into paragraph-level passages with stable ids
 * (`<articleId>#p<index>`), numbered sources, and named scenarios.
 */

export const SECTION_KINDS = ['introduction', 'body', 'scenario', 'conclusion'] as const;
export type SectionKind = (typeof SECTION_KINDS)[number];

export const sourceSchema = z.object({
  /** Footnote number as printed: `[6]` is 6. */
  n: z.number().int().min(1),
  author: z.string().min(1).optional(),
  title: z.string().min(1),
  outlet: z.string().default(''),
  url: z.string().optional(),
  /** Access date as YYYY-MM-DD when it parsed. */
  accessed: z.string().optional(),
  /** 1-based line in the imported file, for warnings. */
  line: z.number().int().optional(),
});
export type Source = z.infer<typeof sourceSchema>;

export const passageSchema = z.object({
  /** Stable id: `<articleId>#p<index>` (index is 1-based among body passages). */
  id: z.string().min(1),
  articleId: z.string().min(1),
  index: z.number().int().min(1),
  section: z.enum(SECTION_KINDS),
  text: z.string().min(1),
  /** Footnote numbers cited in this passage, in order of first appearance. */
  citations: z.array(z.number().int().min(1)),
  /** Slug of the scenario this passage belongs to, if any. */
  scenario: z.string().optional(),
  line: z.number().int().optional(),
});
export type Passage = z.infer<typeof passageSchema>;

export const scenarioSchema = z.object({
  /** Region-derived slug: `central-asia`, `asean`. */
  slug: z.string().min(1),
  /** 1 for "the first scenario". */
  ordinal: z.number().int().min(1),
  /** Human label: "Second scenario: Central Asia". */
  label: z.string().min(1),
  /** Other names that resolve to this scenario: `southeast-asia`, `2`, `second`. */
  aliases: z.array(z.string()),
  passageIds: z.array(z.string()).min(1),
});
export type Scenario = z.infer<typeof scenarioSchema>;

export const articleSchema = z.object({
  /** Stable slug id derived from the title unless given explicitly. */
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
  title: z.string().min(1),
  kicker: z.string().optional(),
  keyPoints: z.array(z.string().min(1)),
  author: z.object({ name: z.string().min(1), bio: z.string().optional() }).optional(),
  /** Publication date as YYYY-MM-DD when known. */
  date: z.string().optional(),
  /** BCP 47-ish language code of this text, `en` by default. */
  language: z.string().default('en'),
  /** Other languages the publisher offers, as printed ("Türkçe", "Русский"). */
  otherLanguages: z.array(z.string()),
  passages: z.array(passageSchema).min(1),
  sources: z.array(sourceSchema),
  scenarios: z.array(scenarioSchema),
  /** Which importer produced it. */
  format: z.enum(['web', 'markdown', 'html']),
});
export type Article = z.infer<typeof articleSchema>;

/** A problem found while importing, with the 1-based line it concerns. */
export interface ImportIssue {
  code: string;
  message: string;
  line?: number;
}

export type ImportResult =
  | { ok: true; article: Article; warnings: ImportIssue[] }
  | { ok: false; errors: ImportIssue[]; warnings: ImportIssue[] };

/** Turn any text into a URL-safe slug: lowercase ASCII and dashes, at most `max` characters. */
export function slugify(text: string, max = 80): string {
  const slug = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/ı/g, 'i')
    .toLowerCase()
    .replace(/[’'"“”‘]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, max)
    .replace(/-+$/g, '');
  return slug;
}

/** Passages grouped by section, in article order. */
export function sectionsOf(article: Article): { kind: SectionKind; passages: Passage[] }[] {
  const out: { kind: SectionKind; passages: Passage[] }[] = [];
  for (const p of article.passages) {
    const last = out.at(-1);
    if (last && last.kind === p.section) last.passages.push(p);
    else out.push({ kind: p.section, passages: [p] });
  }
  return out;
}
