import type { Article, Passage, Scenario, Source } from '../src/core/article.ts';
import { slugify } from '../src/core/article.ts';
import { Prng } from './lib/prng.ts';
import {
  ADJECTIVES,
  CITIES,
  COUNTRIES,
  DEMONYMS,
  FIRST_NAMES,
  LAST_NAMES,
  ORGANISATIONS,
  OUTLETS,
  PAST_VERBS,
  REGIONS,
  ROLES,
  SYLLABLES,
  TOPICS,
  VERBS,
} from './lib/vocab.ts';

/**
 * A deterministic synthetic corpus of analysis briefings for benchmarks: ~20 paragraphs an
 * article with footnote markers, numbered sources (outlets, transliterated titles, URLs,
 * access dates), key points, two scenarios and a conclusion, full of countries, leaders,
 * organisations, figures and dates. The same options always give the same articles.
 *
 * @example const articles = generateCorpus({ articles: 1000, seed: 7 });
 */
export interface CorpusOptions {
  articles: number;
  /** PRNG seed (default 1). */
  seed?: number;
  /** Body paragraphs per article, before scenarios and conclusion (default 17, so ~20 in all). */
  paragraphs?: number;
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** People shared across the corpus: a few appear everywhere, most rarely. */
function people(rng: Prng): string[] {
  const out: string[] = [];
  for (let i = 0; i < 1500; i++) out.push(`${rng.pick(FIRST_NAMES)} ${rng.pick(LAST_NAMES)}`);
  return [...new Set(out)];
}

function word(rng: Prng, min = 2, max = 4): string {
  let w = '';
  const n = rng.int(min, max);
  for (let i = 0; i < n; i++) w += rng.pick(SYLLABLES);
  return w;
}

const cap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
const bare = (country: string): string => country.replace(/^the /, '');

interface Focus {
  countries: string[];
  region: string;
  region2: string;
  orgs: (typeof ORGANISATIONS)[number][];
  leaders: { name: string; role: string; country: string }[];
  topics: string[];
  cities: string[];
  year: number;
}

function sentence(rng: Prng, f: Focus): string {
  const c1 = rng.chance(0.7) ? rng.pick(f.countries) : rng.skewed(COUNTRIES);
  const c2 = rng.pick(f.countries.filter((c) => c !== c1)) ?? rng.skewed(COUNTRIES);
  const l = rng.pick(f.leaders);
  const l2 = rng.pick(f.leaders);
  const t = rng.chance(0.75) ? rng.pick(f.topics) : rng.skewed(TOPICS);
  const t2 = rng.skewed(TOPICS);
  const org = rng.pick(f.orgs);
  const city = rng.chance(0.7) ? rng.pick(f.cities) : rng.skewed(CITIES);
  const adj = rng.skewed(ADJECTIVES);
  const date = `${rng.pick(MONTHS)} ${rng.int(1, 28)}, ${f.year}`;
  switch (rng.int(0, 13)) {
    case 0:
      return `${l.role} ${l.name} of ${l.country} said on ${date} that ${c1} intends to ${rng.pick(VERBS)} its ${adj} ${t} with ${c2}.`;
    case 1:
      return `Trade between ${c1} and ${c2} reached $${rng.int(2, 480)} billion in the ${rng.pick(['first', 'second', 'third', 'fourth'])} quarter of ${f.year}, up ${rng.int(1, 40)}.${rng.int(0, 9)}% from a year earlier.`;
    case 2:
      return `The ${org[0]} (${org[1]}) meeting in ${city} focused on ${t}, ${t2} and ${rng.skewed(TOPICS)}.`;
    case 3:
      return `Analysts expect ${c1} to ${rng.pick(VERBS)} its ${adj} role in ${f.region} as ${c2} seeks to ${rng.pick(VERBS)} ${t}.`;
    case 4:
      return `In ${rng.pick(MONTHS)} ${f.year}, ${l.name} met ${l2.name} in ${city} to discuss ${t} and ${t2}.`;
    case 5:
      return `The ${rng.pick(DEMONYMS)} side ${rng.pick(PAST_VERBS)} a ${adj} agreement on ${t} worth $${rng.int(1, 90)} million.`;
    case 6:
      return `${cap(t)} has become a ${adj} pillar of relations between ${c1} and the ${org[1]}, according to officials in ${city}.`;
    case 7:
      return `The new ${t} project near ${city} cut transport times by ${rng.int(2, 72)} hours and raised volumes by ${rng.int(5, 400)}%.`;
    case 8:
      return `${l.name} argued that ${f.region} should no longer be treated as ${rng.pick(['a fragmented', 'a peripheral', 'a symbolic', 'a secondary'])} arena but as an integrated actor in ${t}.`;
    case 9:
      return `Critics in ${bare(c2)} warned that ${c1}’s ${adj} approach to ${t} could ${rng.pick(VERBS)} the influence of ${rng.skewed(COUNTRIES)}.`;
    case 10:
      return `The ${word(rng, 2, 3)} ${rng.pick(['corridor', 'consortium', 'forum', 'fund', 'alliance', 'initiative'])} was ${rng.pick(PAST_VERBS)} in ${city} on ${date} with support from the ${org[0]}.`;
    case 11:
      return `Growth of ${rng.int(1, 9)}.${rng.int(0, 9)}% in ${bare(c1)} was driven by ${t} and ${t2}, while ${c2} focused on ${rng.skewed(TOPICS)}.`;
    case 12:
      return `${cap(rng.pick(DEMONYMS))} officials described the ${t} talks as ${rng.pick(['constructive', 'difficult', 'historic', 'frank', 'productive'])}, stressing "${rng.pick(['mutual respect', 'win-win cooperation', 'strategic autonomy', 'true multilateralism', 'shared security'])}".`;
    default:
      return `This ${adj} shift reflects ${bare(c1)}’s wish to ${rng.pick(VERBS)} ${t} in ${f.region} while managing its ties with ${c2}.`;
  }
}

function paragraph(rng: Prng, f: Focus, min = 4, max = 6): string {
  const parts: string[] = [];
  const n = rng.int(min, max);
  for (let i = 0; i < n; i++) parts.push(sentence(rng, f));
  return parts.join(' ');
}

function source(rng: Prng, n: number, f: Focus): Source {
  const [outlet, domain] = rng.skewed(OUTLETS, 1.3);
  const translit = rng.chance(0.4);
  const title = translit
    ? `${cap(word(rng))} ${cap(word(rng))} ${cap(word(rng, 2, 3))} v ${cap(word(rng))} — ${rng.pick(LAST_NAMES)}`
    : `${bare(rng.pick(f.countries))} and ${bare(rng.pick(f.countries))} ${rng.pick(PAST_VERBS)} ${cap(rng.pick(f.topics))} ${rng.pick(['Deal', 'Plan', 'Talks', 'Roadmap', 'Partnership'])}`;
  const day = rng.int(1, 28);
  const month = rng.int(1, 12);
  const accessed = `${f.year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
  return {
    n,
    ...(rng.chance(0.15) ? { author: `${rng.pick(FIRST_NAMES)} ${rng.pick(LAST_NAMES)}` } : {}),
    title,
    outlet,
    url: `https://${domain}/news/${f.year}/${slugify(title).slice(0, 60)}`,
    accessed,
  };
}

/** Generates `articles` briefings; identical for identical options. */
export function generateCorpus(options: CorpusOptions): Article[] {
  return [...corpusArticles(options)];
}

/** The same briefings as {@link generateCorpus}, one at a time (a large corpus need not fit in memory). */
export function* corpusArticles(options: CorpusOptions): Generator<Article> {
  const rng = new Prng(options.seed ?? 1);
  const bodyCount = options.paragraphs ?? 17;
  const cast = people(rng);
  for (let a = 0; a < options.articles; a++) {
    const countries = [rng.skewed(COUNTRIES, 1.8), rng.skewed(COUNTRIES), rng.pick(COUNTRIES)];
    const [region, region2] = [rng.pick(REGIONS), rng.pick(REGIONS)] as [string, string];
    const f: Focus = {
      countries: [...new Set(countries)],
      region,
      region2: region2 === region ? (REGIONS[(REGIONS.indexOf(region) + 1) % REGIONS.length] as string) : region2,
      orgs: [rng.pick(ORGANISATIONS), rng.pick(ORGANISATIONS)],
      leaders: Array.from({ length: 4 }, () => ({ name: rng.skewed(cast, 2), role: rng.pick(ROLES), country: bare(rng.pick(countries)) })),
      topics: Array.from({ length: 6 }, () => rng.skewed(TOPICS)),
      cities: [rng.pick(CITIES), rng.pick(CITIES), rng.pick(CITIES)],
      year: rng.int(2019, 2025),
    };
    const title = `${bare(f.countries[0] as string)}’s ${cap(rng.pick(ADJECTIVES))} ${cap(f.topics[0] as string)} Strategy in ${bare(f.region)}`;
    const id = `${slugify(title).slice(0, 60)}-${a + 1}`;
    const passages: Passage[] = [];
    const sources: Source[] = [];
    const add = (text: string, section: Passage['section'], scenario?: string): void => {
      let t = text;
      const citations: number[] = [];
      if (section !== 'scenario' && rng.chance(0.6)) {
        const n = sources.length + 1;
        sources.push(source(rng, n, f));
        citations.push(n);
        t = `${t}[${n}]`;
      }
      const index = passages.length + 1;
      passages.push({ id: `${id}#p${index}`, articleId: id, index, section, text: t, citations, ...(scenario ? { scenario } : {}) });
    };
    for (let i = 0; i < bodyCount; i++) add(paragraph(rng, f), i < 2 ? 'introduction' : 'body');
    const scenarios: Scenario[] = [];
    [f.region, f.region2].forEach((r, i) => {
      const slug = slugify(bare(r));
      const ordinal = i + 1;
      const word1 = ordinal === 1 ? 'first' : 'second';
      add(`In the ${word1} scenario regarding ${bare(r)}, ${paragraph(rng, f, 3, 5)}`, 'scenario', slug);
      scenarios.push({
        slug,
        ordinal,
        label: `${cap(word1)} scenario: ${bare(r)}`,
        aliases: [String(ordinal), word1],
        passageIds: [(passages.at(-1) as Passage).id],
      });
    });
    add(`In conclusion, ${paragraph(rng, f, 3, 4)}`, 'conclusion');
    yield {
      id,
      title,
      kicker: 'Analysis',
      keyPoints: [sentence(rng, f), sentence(rng, f), sentence(rng, f)],
      author: { name: `${rng.pick(FIRST_NAMES)} ${rng.pick(LAST_NAMES)}` },
      date: `${f.year}-${String(rng.int(1, 12)).padStart(2, '0')}-${String(rng.int(1, 28)).padStart(2, '0')}`,
      language: 'en',
      otherLanguages: [],
      passages,
      sources,
      scenarios,
      format: 'web',
    };
  }
}
