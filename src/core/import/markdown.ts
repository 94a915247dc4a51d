import { type ImportIssue, type SectionKind, type Source, slugify } from '../article.ts';
import type { Draft, DraftParagraph, DraftScenario } from './build.ts';
import { type FrontMatter, numList, splitFrontMatter, str, strList } from './front-matter.ts';
import { regionsIn } from './regions.ts';
import { ordinalWord } from './scenarios.ts';
import { FOOTNOTE_LINE, parseDate, parseSourceText, parseUrl } from './sources.ts';
import { type Line, toBlocks, toLines } from './text.ts';

const HEADING = /^(#{1,6})\s+(.*?)\s*#*$/u;
const SLUG_ATTR = /\s*\{#([a-z0-9][a-z0-9-]*)\}\s*$/u;

/**
 * Reads Markdown with optional YAML front matter. Front matter fields: `id`, `title`,
 * `kicker`, `author` (a name, or `{ name, bio }`), `author_bio`, `date` (YYYY-MM-DD),
 * `language`, `other_languages`, `key_points`, `sections` (`introduction`/`conclusion`:
 * paragraph numbers), `scenarios` (list of `slug`, `label`, `aliases`, `ordinal`,
 * `paragraphs`: 1-based paragraph numbers) and `sources` (list of `n`, `author`, `title`,
 * `outlet`, `url`, `accessed`). In the body, `# Title` gives the title when front matter does
 * not, `## Introduction` / `## Conclusion` mark sections, `## Scenario: Central Asia {#central-asia}`
 * opens a scenario that runs to the next heading, `## Key points` takes a `-` list, and
 * `[n] …` (or `[^n]: …`) lines are sources.
 */
export function readMarkdown(text: string): Draft {
  const errors: ImportIssue[] = [];
  const warnings: ImportIssue[] = [];
  const draft: Draft = { format: 'markdown', keyPoints: [], otherLanguages: [], paragraphs: [], sources: [], errors, warnings };
  const { front, body, bodyLine } = splitFrontMatter(text, errors);
  if (front) applyFrontMatter(front, draft);
  if (errors.length > 0) return draft;

  const headingScenarios: DraftScenario[] = [];
  const footnotes: Line[][] = [];
  let section: SectionKind | undefined;
  let scenario: DraftScenario | undefined;
  let inKeyPoints = false;
  for (const block of toBlocks(splitHeadings(toLines(body, bodyLine)))) {
    const head = block[0] as Line;
    const heading = HEADING.exec(head.text);
    if (heading) {
      const level = (heading[1] ?? '').length;
      const title = heading[2] ?? '';
      inKeyPoints = /^key\s+(?:points|takeaways|findings)$/iu.test(title);
      scenario = undefined;
      section = undefined;
      if (level === 1) {
        if (draft.paragraphs.length === 0 && !draft.title) draft.title = title;
      } else if (/^(?:introduction|overview)$/iu.test(title)) section = 'introduction';
      else if (/^(?:conclusions?|in conclusion|closing thoughts)$/iu.test(title)) section = 'conclusion';
      else if (/\bscenario\b/iu.test(title)) {
        scenario = headingScenario(title, headingScenarios.length + 1, head.line);
        headingScenarios.push(scenario);
      }
      continue;
    }
    if (FOOTNOTE_LINE.test(head.text)) {
      footnotes.push(block);
      continue;
    }
    if (inKeyPoints && block.every((l) => /^[-*+]\s+/.test(l.text))) {
      draft.keyPoints.push(...block.map((l) => l.text.replace(/^[-*+]\s+/, '')));
      continue;
    }
    const paragraph: DraftParagraph = { text: unescapeLead(block.map((l) => l.text).join(' ')), line: head.line };
    if (scenario) {
      scenario.paragraphs.push(draft.paragraphs.length);
      paragraph.section = 'scenario';
    } else if (section) paragraph.section = section;
    draft.paragraphs.push(paragraph);
  }
  if (!draft.scenarios && headingScenarios.length > 0) draft.scenarios = headingScenarios;
  for (const block of footnotes) draft.sources.push(...readFootnoteBlock(block, warnings));
  return draft;
}

/** A heading always stands alone, even without blank lines around it. */
function splitHeadings(lines: Line[]): Line[] {
  return lines.map((l, i) => {
    const prev = lines[i - 1];
    const isHeading = HEADING.test(l.text) || (prev !== undefined && HEADING.test(prev.text));
    return isHeading ? { ...l, afterBlank: true } : l;
  });
}

function unescapeLead(text: string): string {
  return text.replace(/^\\([#[\-\\>*+])/, '$1');
}

function headingScenario(heading: string, position: number, line: number): DraftScenario {
  const slugAttr = SLUG_ATTR.exec(heading)?.[1];
  const label = heading.replace(SLUG_ATTR, '').trim();
  const topic = label.replace(/^(?:the\s+)?(?:\w+\s+)?scenario\s*(?:\d+)?\s*[:—–-]?\s*/iu, '').trim();
  const ordinalMatch = /\b(first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|\d{1,2})\b/iu.exec(label.split(':')[0] ?? '');
  const ordinal = ordinalMatch ? ordinalNumber(ordinalMatch[1] ?? '') : position;
  const region = regionsIn(topic)[0]?.region;
  const slug = slugAttr ?? region?.slug ?? slugText(topic) ?? `scenario-${ordinal}`;
  const word = ordinalWord(ordinal);
  const niceLabel = /^scenario\b/iu.test(label) && topic ? `${word.charAt(0).toUpperCase()}${word.slice(1)} scenario: ${topic}` : label;
  const out: DraftScenario = { slug, ordinal, paragraphs: [], line };
  if (niceLabel) out.label = niceLabel;
  return out;
}

function ordinalNumber(word: string): number {
  const words = ['first', 'second', 'third', 'fourth', 'fifth', 'sixth', 'seventh', 'eighth', 'ninth', 'tenth'];
  const i = words.indexOf(word.toLowerCase());
  return i >= 0 ? i + 1 : Math.max(1, Number.parseInt(word, 10) || 1);
}

function slugText(text: string): string | undefined {
  return slugify(text, 40) || undefined;
}

function readFootnoteBlock(block: Line[], warnings: ImportIssue[]): Source[] {
  const raw: { n: number; text: string; line: number }[] = [];
  for (const l of block) {
    const m = FOOTNOTE_LINE.exec(l.text);
    const last = raw.at(-1);
    if (m) raw.push({ n: Number.parseInt(m[1] ?? '0', 10), text: m[2] ?? '', line: l.line });
    else if (last) last.text = `${last.text} ${l.text}`;
  }
  return raw.filter((r) => r.n >= 1).map((r) => parseSourceText(r.n, r.text, r.line, warnings));
}

function applyFrontMatter(front: FrontMatter, draft: Draft): void {
  const d = front.data;
  const warn = (code: string, path: (string | number)[], message: string) =>
    draft.warnings.push({ code, line: front.lineOf(path), message });
  if (d.id !== undefined) {
    draft.id = str(d.id);
    draft.idLine = front.lineOf(['id']);
  }
  draft.title = str(d.title);
  draft.kicker = str(d.kicker);
  const author = d.author;
  if (author && typeof author === 'object' && !Array.isArray(author)) {
    const a = author as Record<string, unknown>;
    const name = str(a.name);
    if (name) draft.author = { name, ...(str(a.bio) ? { bio: str(a.bio) as string } : {}) };
  } else if (str(author)) {
    const bio = str(d.author_bio);
    draft.author = { name: str(author) as string, ...(bio ? { bio } : {}) };
  }
  const date = str(d.date);
  if (date) {
    draft.date = parseDate(date);
    if (!draft.date) warn('bad-date', ['date'], `date "${date}" does not parse: write it as YYYY-MM-DD`);
  }
  draft.language = str(d.language);
  draft.otherLanguages = strList(d.other_languages ?? d.otherLanguages);
  draft.keyPoints = strList(d.key_points ?? d.keyPoints);
  const sections = d.sections;
  if (sections && typeof sections === 'object' && !Array.isArray(sections)) {
    const s = sections as Record<string, unknown>;
    draft.fixedSections = {
      introduction: numList(s.introduction).map((n) => n - 1),
      conclusion: numList(s.conclusion).map((n) => n - 1),
    };
  }
  if (Array.isArray(d.scenarios)) {
    draft.scenarios = [];
    d.scenarios.forEach((item: unknown, k: number) => {
      const s = (item && typeof item === 'object' ? item : {}) as Record<string, unknown>;
      const slug = str(s.slug);
      if (!slug || !/^[a-z0-9][a-z0-9-]*$/.test(slug)) {
        warn(
          'bad-scenario',
          ['scenarios', k],
          `scenario ${k + 1}: slug "${slug ?? ''}" is missing or not a slug (lowercase letters, digits, dashes)`,
        );
        return;
      }
      const ordinal = Number(s.ordinal);
      const scenario: DraftScenario = { slug, paragraphs: numList(s.paragraphs).map((n) => n - 1), line: front.lineOf(['scenarios', k]) };
      if (Number.isInteger(ordinal) && ordinal >= 1) scenario.ordinal = ordinal;
      if (str(s.label)) scenario.label = str(s.label);
      if (s.aliases !== undefined) scenario.aliases = strList(s.aliases);
      draft.scenarios?.push(scenario);
    });
  }
  if (Array.isArray(d.sources)) {
    d.sources.forEach((item: unknown, k: number) => {
      const line = front.lineOf(['sources', k]);
      const s = (item && typeof item === 'object' ? item : {}) as Record<string, unknown>;
      const n = Number(s.n);
      if (!Number.isInteger(n) || n < 1) {
        warn('bad-source', ['sources', k], `source ${k + 1}: n "${str(s.n) ?? ''}" is not a footnote number (1, 2, …)`);
        return;
      }
      const source: Source = { n, title: str(s.title) ?? str(s.outlet) ?? `Source ${n}`, outlet: str(s.outlet) ?? '', line };
      if (str(s.author)) source.author = str(s.author);
      const url = str(s.url);
      if (url) {
        source.url = parseUrl(url);
        if (!source.url) {
          delete source.url;
          warn('bad-url', ['sources', k, 'url'], `source [${n}]: URL "${url}" does not parse (expected http:// or https://)`);
        }
      }
      const accessed = str(s.accessed);
      if (accessed) {
        const parsed = parseDate(accessed);
        if (parsed) source.accessed = parsed;
        else warn('bad-date', ['sources', k, 'accessed'], `source [${n}]: access date "${accessed}" does not parse (expected YYYY-MM-DD)`);
      }
      draft.sources.push(source);
    });
  }
}
