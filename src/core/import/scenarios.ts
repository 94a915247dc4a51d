import { type Article, type Scenario, slugify } from '../article.ts';
import { type Region, regionBySlug, regionsIn } from './regions.ts';

const ORDINAL_WORDS = ['first', 'second', 'third', 'fourth', 'fifth', 'sixth', 'seventh', 'eighth', 'ninth', 'tenth'];

/** "first" for 1, "scenario 11" style fallbacks beyond ten. */
export function ordinalWord(n: number): string {
  return ORDINAL_WORDS[n - 1] ?? `${n}th`;
}

const OPENER =
  /^(?:(?:in|under|according\s+to|as\s+for|regarding|for)\s+)?(?:the|a|an)\s+(first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|\d{1,2}(?:st|nd|rd|th)|final|last|alternative|other|best[- ]case|worst[- ]case|optimistic|pessimistic)\s+scenario\b/iu;
const NUMBERED = /^scenario\s+(\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten)\b/iu;
const CONTINUATION = /^(?:in|under|within)\s+(?:this|that|such\s+a)\s+scenario\b/iu;
const TOPIC = /\bscenario\s+(?:regarding|concerning|on|for|about|involving|in)\s+(?:the\s+)?([^,.;:]+)/iu;
const WORD_NUMBERS = ['one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'];

/** What a paragraph says about opening a scenario. */
export function scenarioOpening(text: string): { ordinal?: number } | undefined {
  const m = OPENER.exec(text);
  if (m) {
    const word = (m[1] ?? '').toLowerCase();
    const idx = ORDINAL_WORDS.indexOf(word);
    if (idx >= 0) return { ordinal: idx + 1 };
    const num = Number.parseInt(word, 10);
    return Number.isFinite(num) && num >= 1 ? { ordinal: num } : {};
  }
  const n = NUMBERED.exec(text);
  if (n) {
    const word = (n[1] ?? '').toLowerCase();
    const num = WORD_NUMBERS.includes(word) ? WORD_NUMBERS.indexOf(word) + 1 : Number.parseInt(word, 10);
    return num >= 1 ? { ordinal: num } : {};
  }
  return undefined;
}

function firstSentence(text: string): string {
  const m = /^.*?[.!?](?=\s+\p{Lu}|\s*$)/su.exec(text);
  return (m ? m[0] : text).slice(0, 400);
}

/** A scenario found in the paragraphs, with the 0-based indexes of its paragraphs. */
export interface DetectedScenario extends Omit<Scenario, 'passageIds'> {
  paragraphs: number[];
}

/**
 * Finds scenario paragraphs ("In the first scenario…", "In the second scenario regarding
 * Central Asia…") and names each after the region it is about: the topic after
 * "regarding/concerning/on/for" wins, else the first region of the opening sentence that is
 * not the article's main actor, else `scenario-N`. A following paragraph that opens "In this
 * scenario" joins it.
 */
export function detectScenarios(paragraphs: readonly string[]): DetectedScenario[] {
  const openers: { index: number; ordinal?: number }[] = [];
  paragraphs.forEach((text, index) => {
    const o = scenarioOpening(text);
    if (o) openers.push({ index, ...o });
  });
  if (openers.length === 0) return [];
  const actor = mainActor(paragraphs);
  const candidates = openers.map((o) => regionsIn(firstSentence(paragraphs[o.index] ?? '')).map((r) => r.region));
  const common =
    openers.length >= 2
      ? new Set((candidates[0] ?? []).filter((r) => candidates.every((list) => list.includes(r))).map((r) => r.slug))
      : new Set<string>();
  const out: DetectedScenario[] = [];
  const used = new Set<number>();
  openers.forEach((o, k) => {
    let ordinal = o.ordinal ?? k + 1;
    while (used.has(ordinal)) ordinal++;
    used.add(ordinal);
    const text = paragraphs[o.index] ?? '';
    const region = topicRegion(text) ?? pickRegion(candidates[k] ?? [], actor, common);
    const members = [o.index];
    for (let i = o.index + 1; i < paragraphs.length && CONTINUATION.test(paragraphs[i] ?? ''); i++) members.push(i);
    out.push({ ...describeScenario(ordinal, region), paragraphs: members });
  });
  return dedupeSlugs(out);
}

function topicRegion(text: string): Region | { slug: string; name: string; aliases: string[] } | undefined {
  const m = TOPIC.exec(firstSentence(text));
  if (!m) return undefined;
  const topic = (m[1] ?? '').trim();
  const named = regionsIn(topic)[0];
  if (named) return named.region;
  const words = topic.split(/\s+/).slice(0, 4);
  if (!/^\p{Lu}/u.test(topic) || words.some((w) => !/^[\p{L}\p{N}'’-]+$/u.test(w))) return undefined;
  const slug = slugify(words.join(' '), 40);
  return slug ? { slug, name: words.join(' '), aliases: [] } : undefined;
}

function pickRegion(found: Region[], actor: string | undefined, common: Set<string>): Region | undefined {
  const usable = found.filter((r) => r.slug !== actor && !common.has(r.slug));
  const pool = usable.length > 0 ? usable : found.filter((r) => r.slug !== actor);
  return pool.find((r) => r.kind !== 'country') ?? pool[0];
}

/** The country named most often (at least 5 times and twice as often as any other country). */
function mainActor(paragraphs: readonly string[]): string | undefined {
  const counts = new Map<string, number>();
  for (const p of paragraphs)
    for (const { region } of regionsIn(p)) if (region.kind === 'country') counts.set(region.slug, (counts.get(region.slug) ?? 0) + 1);
  const ranked = [...counts].sort((a, b) => b[1] - a[1]);
  const [top, next] = ranked;
  if (!top || top[1] < 5 || (next && next[1] * 2 > top[1])) return undefined;
  return top[0];
}

/** Slug, label and aliases for a scenario with this ordinal about this region. */
export function describeScenario(
  ordinal: number,
  region?: { slug: string; name: string; aliases: string[] },
): Omit<DetectedScenario, 'paragraphs'> {
  const word = ordinalWord(ordinal);
  const head = `${word.charAt(0).toUpperCase()}${word.slice(1)} scenario`;
  const slug = region?.slug ?? `scenario-${ordinal}`;
  const aliases = [...(region?.aliases ?? []), String(ordinal), word, `scenario-${ordinal}`].filter((a) => a !== slug);
  return { slug, ordinal, label: region ? `${head}: ${region.name}` : head, aliases: [...new Set(aliases)] };
}

function dedupeSlugs(list: DetectedScenario[]): DetectedScenario[] {
  const seen = new Set<string>();
  for (const s of list) {
    if (seen.has(s.slug)) s.slug = `${s.slug}-${s.ordinal}`;
    seen.add(s.slug);
  }
  const slugs = new Set(list.map((s) => s.slug));
  for (const s of list) s.aliases = s.aliases.filter((a) => !slugs.has(a) && list.filter((o) => o.aliases.includes(a)).length === 1);
  return list;
}

/** Fills in what an explicitly declared scenario left out (label, aliases) from the gazetteer. */
export function completeScenario(slug: string, ordinal: number, label?: string, aliases?: string[]): Omit<Scenario, 'passageIds'> {
  const region = regionBySlug(slug);
  const auto = describeScenario(ordinal, region ?? { slug, name: slug.replace(/-/g, ' '), aliases: [] });
  return { slug, ordinal, label: label?.trim() || auto.label, aliases: aliases ?? auto.aliases };
}

function key(text: string): string {
  const k = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/\bscenario\b/g, ' ')
    .replace(/^\s*(?:the|#|no\.?)\s*/, '')
    .replace(/[\s_\-#.:]+/g, '');
  const ordinal = ORDINAL_WORDS.indexOf(k);
  if (ordinal >= 0) return String(ordinal + 1);
  const word = WORD_NUMBERS.indexOf(k);
  if (word >= 0) return String(word + 1);
  const m = /^(\d+)(?:st|nd|rd|th)?$/.exec(k);
  return m ? String(Number(m[1])) : k;
}

/**
 * Finds a scenario by slug, alias, label or ordinal, ignoring case, spacing, dashes and
 * underscores.
 * @example findScenario(article, 'Central Asia') // the `central-asia` scenario
 * @example findScenario(article, 'second scenario') // the scenario with ordinal 2
 */
export function findScenario(article: Pick<Article, 'scenarios'>, query: string): Scenario | undefined {
  const wanted = key(query);
  if (!wanted) return undefined;
  const scenarios = article.scenarios;
  return (
    scenarios.find((s) => key(s.slug) === wanted) ??
    scenarios.find((s) => s.aliases.some((a) => key(a) === wanted)) ??
    scenarios.find((s) => String(s.ordinal) === wanted) ??
    scenarios.find((s) => key(s.label) === wanted || key(s.label.replace(/^[^:]*:\s*/, '')) === wanted)
  );
}
