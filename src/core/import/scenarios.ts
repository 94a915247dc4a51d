import { type Article, type Scenario, slugify } from '../article.ts';
import { type Region, regionBySlug, regionNamed, regionsIn } from './regions.ts';

const ORDINAL_WORDS = ['first', 'second', 'third', 'fourth', 'fifth', 'sixth', 'seventh', 'eighth', 'ninth', 'tenth'];

/** "first" for 1, "scenario 11" style fallbacks beyond ten. */
export function ordinalWord(n: number): string {
  return ORDINAL_WORDS[n - 1] ?? `${n}th`;
}

const OPENER =
  /^(?:(?:in|under|according\s+to|as\s+for|regarding|for)\s+)?(?:the|a|an)\s+(first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|\d{1,2}(?:st|nd|rd|th)|final|last|alternative|other|best[- ]case|worst[- ]case|optimistic|pessimistic)\s+scenario\b/iu;
const NUMBERED = /^scenario\s+(\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten)\b/iu;
/** "Second scenario: Arctic Council", "First scenario – …": an ordinal heading without an article. */
const HEADED =
  /^(first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|\d{1,2}(?:st|nd|rd|th)|final|last|alternative|best[- ]case|worst[- ]case|optimistic|pessimistic)\s+scenario(?=\s*[:–—-])/iu;
const CONTINUATION = /^(?:in|under|within)\s+(?:this|that|such\s+a)\s+scenario\b/iu;
const TOPIC = /\bscenario\s+(?:regarding|concerning|on|for|about|involving|in)\s+(?:the\s+)?([^,.;:]+)/iu;
const WORD_NUMBERS = ['one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'];

/** What a paragraph says about opening a scenario. */
export function scenarioOpening(text: string): { ordinal?: number } | undefined {
  const m = OPENER.exec(text) ?? HEADED.exec(text);
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
 * Central Asia…") and names each after what it is about: what the opening sentence says it
 * regards ("regarding the Arctic Council" -> Arctic Council), else the leading subject of that
 * sentence when it is one place (not the briefing's main actor, not a pairing such as
 * "China–Europe"), else `scenario-N` ("First scenario"). A following paragraph that opens "In
 * this scenario" joins it.
 */
export function detectScenarios(paragraphs: readonly string[]): DetectedScenario[] {
  const openers: { index: number; ordinal?: number }[] = [];
  paragraphs.forEach((text, index) => {
    const o = scenarioOpening(text);
    if (o) openers.push({ index, ...o });
  });
  if (openers.length === 0) return [];
  // The briefing's main actor, and places every opening sentence names, say nothing about
  // which scenario is which.
  const background = new Set<string>();
  const actor = mainActor(paragraphs);
  if (actor) background.add(actor);
  // Only the subjects count ("In the first scenario, Russia loses …" is about Russia even if
  // the second opening mentions "Russia’s sphere of influence" in passing).
  const named = openers.map((o) => new Set(regionsIn(subjectOf(firstSentence(paragraphs[o.index] ?? ''))).map((r) => r.region.slug)));
  if (openers.length >= 2) for (const slug of named[0] ?? []) if (named.every((n) => n.has(slug))) background.add(slug);
  const out: DetectedScenario[] = [];
  const used = new Set<number>();
  openers.forEach((o, k) => {
    let ordinal = o.ordinal ?? k + 1;
    while (used.has(ordinal)) ordinal++;
    used.add(ordinal);
    const text = paragraphs[o.index] ?? '';
    const subject = topicName(text) ?? headingName(text) ?? leadingSubject(text, background);
    const members = [o.index];
    for (let i = o.index + 1; i < paragraphs.length && CONTINUATION.test(paragraphs[i] ?? ''); i++) members.push(i);
    out.push({ ...describeScenario(ordinal, subject), paragraphs: members });
  });
  return dedupeSlugs(out);
}

type Named = { slug: string; name: string; aliases: string[] };

/** Words a name may hold in lower case between capitalized ones ("Association of Southeast Asian Nations"). */
const NAME_JOINERS = new Set(['of', 'and', 'for', 'the', 'on', 'de', 'du', 'al', 'el', '&']);
const MAX_NAME_WORDS = 8;

/**
 * What the opening sentence says the scenario regards: "regarding the Arctic Council, …" names
 * the Arctic Council (the name as written, or its gazetteer entry when that is exactly what it
 * says), not the first gazetteer word inside it. A topic in lower case ("regarding energy in
 * Europe") gives the one place it names, if it names exactly one.
 */
function topicName(text: string): Named | undefined {
  const m = TOPIC.exec(firstSentence(text));
  if (!m) return undefined;
  const topic = (m[1] ?? '').trim();
  const name = leadingName(topic);
  if (name) {
    const region = regionNamed(name);
    if (region) return region;
    const slug = slugify(name, 40);
    return slug ? { slug, name, aliases: [] } : undefined;
  }
  return solePlace(topic);
}

/** The capitalized name a text starts with ("Arctic Council’s members" -> "Arctic Council"), if any. */
function leadingName(text: string): string | undefined {
  const words = text.split(/\s+/);
  const kept: string[] = [];
  for (let i = 0; i < words.length && kept.length < MAX_NAME_WORDS; i++) {
    const word = words[i] as string;
    const bare = word.replace(/['’]s$/u, '');
    // A name starts with a capital; later words may also be numbers ("Vision 2030").
    if ((kept.length > 0 ? /^[\p{Lu}\p{N}]/u : /^\p{Lu}/u).test(word) && /^[\p{L}\p{N}'’.–—-]+$/u.test(bare)) {
      // A possessive ends the name ("Arctic Council’s members") unless a name goes on after
      // it ("the EU’s Global Gateway").
      if (bare !== word && !/^\p{Lu}/u.test(words[i + 1] ?? '')) {
        kept.push(bare);
        break;
      }
      kept.push(word);
      continue;
    }
    // Joiners between capitalized words, one or two of them ("Council of the European Union").
    let j = i;
    while (j < words.length && j - i < 2 && NAME_JOINERS.has((words[j] as string).toLowerCase())) j++;
    if (kept.length > 0 && j > i && /^\p{Lu}/u.test(words[j] ?? '')) {
      kept.push(...words.slice(i, j));
      i = j - 1;
      continue;
    }
    break;
  }
  return kept.length > 0 ? kept.join(' ') : undefined;
}

/**
 * A heading's name: "Scenario 2: Arctic Council." or "Second scenario – the Nordic States: …"
 * names what follows the colon or dash when that is a name and nothing else (the name as
 * written, or its gazetteer entry when that is exactly what it says).
 */
function headingName(text: string): Named | undefined {
  const sentence = firstSentence(text);
  const m = OPENER.exec(sentence) ?? NUMBERED.exec(sentence) ?? HEADED.exec(sentence);
  if (!m) return undefined;
  const rest = /^\s*[:–—-]\s*(?:the\s+)?(.*)$/isu.exec(sentence.slice(m.index + m[0].length));
  if (!rest) return undefined;
  const heading = (rest[1] ?? '').split(/\s*[.:;!?]\s|\s[–—-]\s|[.:;!?]$/u)[0]?.trim() ?? '';
  const name = leadingName(heading);
  if (!name || name !== heading) return undefined;
  const region = regionNamed(name);
  if (region) return region;
  const slug = slugify(name, 40);
  return slug ? { slug, name, aliases: [] } : undefined;
}

/**
 * The subject of a scenario's opening sentence: after the opener, up to the verb or a clause
 * break. A comma before another place lists places ("Europe, China and Russia agree"): the
 * subject goes on.
 */
function subjectOf(sentence: string): string {
  const content = afterOpener(sentence);
  const ends = new RegExp(SUBJECT_END.source, 'giu');
  for (const end of content.matchAll(ends)) {
    const after = content.slice(end.index + end[0].length);
    const lead = /^\s*(?:the\s+)?/iu.exec(after)?.[0].length ?? 0;
    if (end[0] === ',' && regionsIn(after)[0]?.index === lead) continue;
    return content.slice(0, end.index);
  }
  return content;
}

/** Between two places, text that pairs them ("China–Europe", "Azerbaijan and Georgia"). */
const PAIRING = /^\s*(?:[-–—/&,+]|,?\s*and|,?\s*or|versus|vs\.?)\s*(?:the\s+)?$/iu;
/** Where the subject of a sentence ends: a clause break, or the verb "is/will/could …". */
const SUBJECT_END = /[,;:()]|\s[–—]\s|\s(?:is|are|was|were|will|would|could|can|may|might|must|should|shall)\s/iu;

/**
 * The leading subject of a scenario's opening sentence, when it is clearly one place: the
 * place the sentence starts with ("In the first scenario, Kazakhstan expands …"), or the only
 * place its subject names apart from the background ("the integration that China has
 * established with ASEAN is expected …" in a briefing about China). A place paired with
 * another ("China–Europe relations", "Azerbaijan and Georgia") is never taken.
 */
function leadingSubject(text: string, background: ReadonlySet<string>): Region | undefined {
  const subject = subjectOf(firstSentence(text));
  const places = regionsIn(subject);
  const paired = (k: number): boolean => {
    const here = places[k] as (typeof places)[number];
    const next = places[k + 1];
    const prev = places[k - 1];
    return (
      (next !== undefined && PAIRING.test(subject.slice(here.index + here.length, next.index))) ||
      (prev !== undefined && PAIRING.test(subject.slice(prev.index + prev.length, here.index)))
    );
  };
  const first = places[0];
  const lead = /^(?:the\s+)?/iu.exec(subject)?.[0].length ?? 0;
  if (first && first.index === lead && !background.has(first.region.slug)) return paired(0) ? undefined : first.region;
  const candidates = places.map((p, k) => ({ ...p, k })).filter((p) => !background.has(p.region.slug));
  const distinct = new Set(candidates.map((p) => p.region.slug));
  if (distinct.size !== 1 || candidates.some((p) => paired(p.k))) return undefined;
  return candidates[0]?.region;
}

/** The one place a text names, if it names exactly one. */
function solePlace(text: string): Region | undefined {
  const places = regionsIn(text);
  return new Set(places.map((p) => p.region.slug)).size === 1 ? places[0]?.region : undefined;
}

/**
 * The opening sentence after its opener: "In the first scenario, X …" -> "X …"; a short
 * phrase before the comma ("In the first scenario shaped in this context, X …") goes too.
 */
function afterOpener(sentence: string): string {
  const m = OPENER.exec(sentence) ?? NUMBERED.exec(sentence) ?? HEADED.exec(sentence);
  let rest = m ? sentence.slice(m.index + m[0].length) : sentence;
  const lead = /^\s*[,:.–—-]\s*/u.exec(rest);
  if (lead) return rest.slice(lead[0].length);
  const clause = /^\s+\p{Ll}[^,:]{0,60}[,:]\s*/u.exec(rest);
  if (clause) rest = rest.slice(clause[0].length);
  return rest.trimStart();
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
    // "the second", "no. 2", "#2"; never the start of "nordic" or "thessaly".
    .replace(/^\s*(?:the\s+|no\.?\s*(?=\d)|#\s*)/, '')
    .replace(/[\s_\-#.:]+/g, '');
  const ordinal = ORDINAL_WORDS.indexOf(k);
  if (ordinal >= 0) return String(ordinal + 1);
  const word = WORD_NUMBERS.indexOf(k);
  if (word >= 0) return String(word + 1);
  const m = /^(\d+)(?:st|nd|rd|th)?$/.exec(k);
  return m ? String(Number(m[1])) : k;
}

/**
 * The scenarios a name finds: the one whose slug, alias, label or ordinal it is (ignoring case,
 * spacing, dashes and underscores), else every one with a slug, alias or label starting with it
 * (`nordic` for `nordic-states`), as `--article` takes a unique prefix of an id.
 * @example scenarioMatches(article, 'central') // [the `central-asia` scenario]
 */
export function scenarioMatches(article: Pick<Article, 'scenarios'>, query: string): Scenario[] {
  const wanted = key(query);
  if (!wanted) return [];
  const scenarios = article.scenarios;
  const exact =
    scenarios.find((s) => key(s.slug) === wanted) ??
    scenarios.find((s) => s.aliases.some((a) => key(a) === wanted)) ??
    scenarios.find((s) => String(s.ordinal) === wanted) ??
    scenarios.find((s) => key(s.label) === wanted || key(labelName(s)) === wanted);
  if (exact) return [exact];
  // Numbers are ordinals, never prefixes: "1" must not find scenario 10.
  if (!/\p{L}/u.test(wanted)) return [];
  return scenarios.filter((s) => [s.slug, ...s.aliases, labelName(s)].some((n) => key(n).startsWith(wanted)));
}

/**
 * Finds a scenario by slug, alias, label, ordinal or unique prefix (see {@link scenarioMatches}).
 * @example findScenario(article, 'Central Asia') // the `central-asia` scenario
 * @example findScenario(article, 'second scenario') // the scenario with ordinal 2
 */
export function findScenario(article: Pick<Article, 'scenarios'>, query: string): Scenario | undefined {
  const found = scenarioMatches(article, query);
  return found.length === 1 ? found[0] : undefined;
}

/** "Second scenario: Central Asia" -> "Central Asia". */
function labelName(s: Scenario): string {
  return s.label.replace(/^[^:]*:\s*/, '');
}
