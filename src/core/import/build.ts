import { createHash } from 'node:crypto';
import {
  type Article,
  articleSchema,
  type ImportIssue,
  type ImportResult,
  type Passage,
  type SectionKind,
  type Source,
  slugify,
} from '../article.ts';
import { splitLongParagraphs } from './long-paragraphs.ts';
import { completeScenario, type DetectedScenario, detectScenarios } from './scenarios.ts';
import { citationsIn } from './sources.ts';

/** A paragraph as an importer read it, before ids, sections and scenarios are assigned. */
export interface DraftParagraph {
  text: string;
  line: number;
  /** Section set explicitly by the source format (a Markdown heading, front matter). */
  section?: SectionKind;
}

/** A scenario declared explicitly by the source format. */
export interface DraftScenario {
  slug: string;
  ordinal?: number;
  label?: string;
  aliases?: string[];
  /** 0-based paragraph indexes. */
  paragraphs: number[];
  line?: number;
}

/** What a format reader hands to {@link buildArticle}. */
export interface Draft {
  format: 'web' | 'markdown';
  id?: string;
  idLine?: number;
  title?: string;
  kicker?: string;
  keyPoints: string[];
  author?: { name: string; bio?: string };
  date?: string;
  language?: string;
  otherLanguages: string[];
  paragraphs: DraftParagraph[];
  sources: Source[];
  /** Exact introduction and conclusion paragraphs (0-based); when set, nothing is guessed. */
  fixedSections?: { introduction: number[]; conclusion: number[] };
  /** Explicit scenarios; when undefined they are detected from the paragraphs. */
  scenarios?: DraftScenario[];
  errors: ImportIssue[];
  warnings: ImportIssue[];
}

const CONCLUSION =
  /^(?:in\s+conclusion|to\s+conclude|to\s+sum\s+up|in\s+sum(?:mary)?|overall|in\s+short|all\s+in\s+all|in\s+closing|consequently,\s+it\s+can\s+be\s+said|as\s+a\s+result,\s+it\s+can\s+be\s+said|ultimately)\b/iu;

/** True when a paragraph reads like a closing paragraph ("In conclusion, …"). */
export function isConclusion(text: string): boolean {
  return CONCLUSION.test(text);
}

function range(ns: number[]): string {
  if (ns.length === 0) return 'no sources';
  const sorted = [...ns].sort((a, b) => a - b);
  const contiguous = sorted.every((n, i) => i === 0 || n === (sorted[i - 1] ?? 0) + 1);
  return contiguous && sorted.length > 2
    ? `sources ${sorted[0]}-${sorted.at(-1)}`
    : `source${sorted.length > 1 ? 's' : ''} ${sorted.join(', ')}`;
}

function fallbackId(title: string): string {
  return `article-${createHash('sha256').update(title).digest('hex').slice(0, 10)}`;
}

const ID = /^[a-z0-9][a-z0-9-]*$/;

/** Assigns ids, citations, scenarios and sections, checks references, and validates the result. */
export function buildArticle(draft: Draft, options: { id?: string } = {}): ImportResult {
  const errors = [...draft.errors];
  const warnings = [...draft.warnings];
  if (errors.length > 0) return { ok: false, errors, warnings };
  const title = draft.title?.trim();
  if (!title && !errors.some((e) => e.code === 'no-title'))
    errors.push({ code: 'no-title', line: 1, message: 'no title: the first line of the article should be its title' });
  if (draft.paragraphs.length === 0 && !errors.some((e) => e.code === 'no-body'))
    errors.push({ code: 'no-body', line: 1, message: 'no body: the article has no paragraphs after its title and key points' });
  let id = options.id;
  if (id !== undefined && !ID.test(id))
    errors.push({
      code: 'bad-id',
      message: `id "${id}" is not a slug: use lowercase letters, digits and dashes, like "${slugify(id) || 'my-briefing'}"`,
    });
  if (id === undefined && draft.id !== undefined) {
    if (ID.test(draft.id)) id = draft.id;
    else
      warnings.push({
        code: 'bad-id',
        line: draft.idLine,
        message: `id "${draft.id}" is not a slug (lowercase letters, digits, dashes): using one made from the title`,
      });
  }
  const split = splitLongParagraphs(draft.paragraphs);
  errors.push(...split.errors);
  warnings.push(...split.warnings);
  if (errors.length > 0 || !title) return { ok: false, errors, warnings };
  const articleId = id ?? (slugify(title) || fallbackId(title));
  // Paragraph numbers in the draft (scenarios, sections) count paragraphs before any split.
  const { paragraphs, origin } = split;
  const pieces: number[][] = draft.paragraphs.map(() => []);
  origin.forEach((o, i) => {
    pieces[o]?.push(i);
  });
  const piecesOf = (j: number): number[] => pieces[j] ?? [];

  const sources: Source[] = [];
  for (const s of draft.sources) {
    const first = sources.find((o) => o.n === s.n);
    if (first) {
      warnings.push({
        code: 'duplicate-source',
        line: s.line,
        message: `source [${s.n}] is listed twice${first.line ? ` (first on line ${first.line})` : ''}: keeping the first`,
      });
    } else sources.push(s);
  }
  sources.sort((a, b) => a.n - b.n);
  const known = new Set(sources.map((s) => s.n));

  const passages: Passage[] = paragraphs.map((p, i) => {
    const citations = citationsIn(p.text);
    for (const n of citations) {
      if (!known.has(n))
        warnings.push({
          code: 'missing-source',
          line: p.line,
          message: `marker [${n}] has no source: this article lists ${range([...known])}`,
        });
    }
    return { id: `${articleId}#p${i + 1}`, articleId, index: i + 1, section: p.section ?? 'body', text: p.text, citations, line: p.line };
  });
  const cited = new Set(passages.flatMap((p) => p.citations));
  for (const s of sources) {
    if (!cited.has(s.n))
      warnings.push({ code: 'uncited-source', line: s.line, message: `source [${s.n}] "${s.title}" is never cited in the text` });
  }

  const declared = draft.scenarios ? explicitScenarios(draft.scenarios, draft.paragraphs.length, warnings) : undefined;
  // A scenario holds every passage cut from its paragraphs.
  const detected: DetectedScenario[] = (declared ?? detectScenarios(passages.map((p) => p.text))).map((s) => ({
    ...s,
    paragraphs: [...new Set(s.paragraphs.flatMap((i) => piecesOf(declared ? i : (origin[i] as number))))],
  }));
  const scenarios = detected
    .filter((s) => s.paragraphs.length > 0)
    .map(({ paragraphs, ...s }) => {
      for (const i of paragraphs) {
        const p = passages[i];
        if (p) {
          p.section = 'scenario';
          p.scenario = s.slug;
        }
      }
      return { ...s, passageIds: paragraphs.map((i) => `${articleId}#p${i + 1}`) };
    });
  const fixedSections = draft.fixedSections && {
    introduction: draft.fixedSections.introduction.flatMap(piecesOf),
    conclusion: draft.fixedSections.conclusion.flatMap(piecesOf),
  };
  assignSections(passages, { ...draft, paragraphs, ...(fixedSections ? { fixedSections } : {}) });

  const article: Article = {
    id: articleId,
    title,
    keyPoints: draft.keyPoints.filter((k) => k.trim() !== ''),
    language: draft.language || 'en',
    otherLanguages: draft.otherLanguages,
    passages,
    sources,
    scenarios,
    format: draft.format,
  };
  if (draft.kicker) article.kicker = draft.kicker;
  if (draft.author?.name) article.author = draft.author.bio ? draft.author : { name: draft.author.name };
  if (draft.date) article.date = draft.date;
  const parsed = articleSchema.safeParse(article);
  if (!parsed.success) {
    const detail = parsed.error.issues
      .slice(0, 3)
      .map((i) => `${i.path.join('.') || 'article'}: ${i.message}`)
      .join('; ');
    return { ok: false, errors: [{ code: 'invalid', message: `the imported article is not valid (${detail})` }], warnings };
  }
  return { ok: true, article: parsed.data, warnings };
}

function explicitScenarios(list: DraftScenario[], count: number, warnings: ImportIssue[]): DetectedScenario[] {
  const out: DetectedScenario[] = [];
  list.forEach((s, k) => {
    const paragraphs = s.paragraphs.filter((i) => {
      const ok = Number.isInteger(i) && i >= 0 && i < count;
      if (!ok)
        warnings.push({
          code: 'bad-scenario',
          line: s.line,
          message: `scenario "${s.slug}": paragraph ${i + 1} does not exist (the body has paragraphs 1-${count})`,
        });
      return ok;
    });
    if (paragraphs.length === 0) {
      warnings.push({ code: 'bad-scenario', line: s.line, message: `scenario "${s.slug}" has no paragraphs: it was left out` });
      return;
    }
    if (out.some((o) => o.slug === s.slug)) {
      warnings.push({ code: 'bad-scenario', line: s.line, message: `scenario "${s.slug}" is declared twice: keeping the first` });
      return;
    }
    out.push({ ...completeScenario(s.slug, s.ordinal ?? k + 1, s.label, s.aliases), paragraphs });
  });
  return out;
}

/** Introduction: opening uncited paragraphs (at most 3); conclusion: a closing "In conclusion…" paragraph. */
function assignSections(passages: Passage[], draft: Draft): void {
  const drafts = draft.paragraphs;
  if (draft.fixedSections) {
    for (const kind of ['introduction', 'conclusion'] as const) {
      for (const i of draft.fixedSections[kind]) {
        const p = passages[i];
        if (p && p.section !== 'scenario') p.section = kind;
      }
    }
    return;
  }
  const explicit = (kind: SectionKind) => drafts.some((d) => d.section === kind);
  const auto = (i: number) => drafts[i]?.section === undefined && passages[i]?.section !== 'scenario';
  if (!explicit('conclusion')) {
    const last = passages.length - 1;
    const p = passages[last];
    if (p && last > 0 && auto(last) && isConclusion(p.text)) p.section = 'conclusion';
  }
  if (!explicit('introduction')) {
    for (let i = 0; i < Math.min(3, passages.length - 1); i++) {
      const p = passages[i];
      if (!p || !auto(i) || p.citations.length > 0 || p.section !== 'body') break;
      p.section = 'introduction';
    }
  }
}
