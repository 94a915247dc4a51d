/**
 * A small gazetteer of world regions, organisations and countries, used to name scenarios
 * after what they are about ("In the second scenario regarding Central Asia" => `central-asia`).
 */
export interface Region {
  slug: string;
  /** Display name used in labels: "Central Asia", "ASEAN". */
  name: string;
  kind: 'region' | 'organisation' | 'country';
  /** Spellings matched in text, case-sensitively, on word boundaries. */
  names: string[];
  /** Other slugs that should find a scenario named after this region. */
  aliases: string[];
}

// slug | display name | kind (r, o, c) | extra spellings (;) | alias slugs (;)
const TABLE = `
central-asia|Central Asia|r|Central Asian;Central-Asian|
southeast-asia|Southeast Asia|r|South-East Asia;South East Asia;Southeast Asian;South-East Asian|asean
asean|ASEAN|o|Association of Southeast Asian Nations;Association of South-East Asian Nations|southeast-asia
south-caucasus|South Caucasus|r|Southern Caucasus;Transcaucasia;South Caucasian|caucasus
north-caucasus|North Caucasus|r|Northern Caucasus|
caucasus|Caucasus|r|Caucasian|
middle-east|Middle East|r|Middle Eastern;MENA|mena
gulf|Gulf|r|Persian Gulf;Gulf region;Arabian Gulf|persian-gulf
gcc|Gulf Cooperation Council|o|GCC|gulf
europe|Europe|r|European continent|
eu|EU|o|European Union|europe;european-union
eastern-europe|Eastern Europe|r|Eastern European;Central and Eastern Europe|
western-europe|Western Europe|r||
balkans|Balkans|r|Western Balkans;Balkan Peninsula;Balkan|western-balkans
baltic|Baltic States|r|Baltic states;the Baltics;Baltic Sea;Baltic region|baltics
black-sea|Black Sea|r|Black Sea region|
mediterranean|Mediterranean|r|Eastern Mediterranean;Mediterranean Sea|eastern-mediterranean
africa|Africa|r|African continent|
sub-saharan-africa|Sub-Saharan Africa|r|sub-Saharan Africa|
north-africa|North Africa|r|Maghreb;North African|maghreb
sahel|Sahel|r|Sahel region|
horn-of-africa|Horn of Africa|r||
african-union|African Union|o|AU|
latin-america|Latin America|r|Latin American;South America;Central America;Caribbean|south-america
north-america|North America|r|North American|
arctic|Arctic|r|Arctic region;High North|
antarctica|Antarctica|r|Antarctic|
indo-pacific|Indo-Pacific|r|Indo Pacific|
asia-pacific|Asia-Pacific|r|Asia Pacific|
south-asia|South Asia|r|South Asian;Indian subcontinent|
east-asia|East Asia|r|East Asian;Northeast Asia|
south-china-sea|South China Sea|r||
taiwan-strait|Taiwan Strait|r||
red-sea|Red Sea|r||
eurasia|Eurasia|r|Eurasian|
asia|Asia|r||
turkic-world|Turkic World|r|Organization of Turkic States;Turkic states|ots
nato|NATO|o|North Atlantic Treaty Organization|
sco|SCO|o|Shanghai Cooperation Organisation;Shanghai Cooperation Organization|
brics|BRICS|o||
eaeu|Eurasian Economic Union|o|EAEU;EEU|
csto|CSTO|o|Collective Security Treaty Organization|
cis|CIS|o|Commonwealth of Independent States|
un|United Nations|o|UN|
us|United States|c|US;U.S.;USA;United States of America;America|united-states;usa
uk|United Kingdom|c|UK;U.K.;Britain;Great Britain|united-kingdom;britain
russia|Russia|c|Russian Federation|
china|China|c|People’s Republic of China;People's Republic of China;PRC|
turkiye|Türkiye|c|Turkey|turkey
south-korea|South Korea|c|Republic of Korea|
north-korea|North Korea|c|DPRK|
iran|Iran|c||
`;

const COUNTRIES =
  'Afghanistan;Albania;Algeria;Angola;Argentina;Armenia;Australia;Austria;Azerbaijan;Bahrain;Bangladesh;Belarus;Belgium;Bhutan;Bolivia;' +
  'Bosnia and Herzegovina;Botswana;Brazil;Brunei;Bulgaria;Cambodia;Cameroon;Canada;Chad;Chile;Colombia;Croatia;Cuba;Cyprus;Czechia;' +
  'Denmark;Egypt;Estonia;Ethiopia;Finland;France;Georgia;Germany;Ghana;Greece;Hungary;India;Indonesia;Iraq;Ireland;Israel;Italy;Japan;' +
  'Jordan;Kazakhstan;Kenya;Kosovo;Kuwait;Kyrgyzstan;Laos;Latvia;Lebanon;Libya;Lithuania;Malaysia;Mali;Mexico;Moldova;Mongolia;Montenegro;' +
  'Morocco;Myanmar;Nepal;Netherlands;New Zealand;Niger;Nigeria;North Macedonia;Norway;Oman;Pakistan;Palestine;Panama;Peru;Philippines;' +
  'Poland;Portugal;Qatar;Romania;Rwanda;Saudi Arabia;Senegal;Serbia;Singapore;Slovakia;Slovenia;Somalia;South Africa;Spain;Sri Lanka;' +
  'Sudan;Sweden;Switzerland;Syria;Taiwan;Tajikistan;Tanzania;Thailand;Tunisia;Turkmenistan;Uganda;Ukraine;United Arab Emirates;Uruguay;' +
  'Uzbekistan;Venezuela;Vietnam;Yemen;Zambia;Zimbabwe';

function slugOf(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

function build(): Region[] {
  const kinds = { r: 'region', o: 'organisation', c: 'country' } as const;
  const out: Region[] = [];
  for (const row of TABLE.trim().split('\n')) {
    const [slug = '', name = '', kind = 'r', extra = '', aliases = ''] = row.split('|');
    const names = [name, ...extra.split(';')].filter((n) => n !== '');
    out.push({
      slug,
      name,
      kind: kinds[kind as keyof typeof kinds] ?? 'region',
      names,
      aliases: aliases.split(';').filter((a) => a !== ''),
    });
  }
  const known = new Set(out.map((r) => r.slug));
  for (const name of COUNTRIES.split(';')) {
    const slug = slugOf(name);
    if (!known.has(slug)) out.push({ slug, name, kind: 'country', names: [name], aliases: [] });
  }
  return out;
}

/** Every region, organisation and country the importer recognizes. */
export const REGIONS: readonly Region[] = build();

const BY_SLUG = new Map(REGIONS.map((r) => [r.slug, r]));

/** The gazetteer entry for a slug, if any. */
export function regionBySlug(slug: string): Region | undefined {
  return BY_SLUG.get(slug);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const SPELLINGS = REGIONS.flatMap((r) => r.names.map((n) => ({ n, r }))).sort((a, b) => b.n.length - a.n.length);
const PATTERN = new RegExp(`(?<![\\p{L}\\p{N}])(?:${SPELLINGS.map((s) => escapeRegExp(s.n)).join('|')})(?![\\p{L}\\p{N}])`, 'gu');
const BY_SPELLING = new Map(SPELLINGS.map((s) => [s.n, s.r]));

/** Regions named in a text, in order of appearance (longest spelling wins at a position), with where the spelling stands. */
export function regionsIn(text: string): { region: Region; index: number; length: number }[] {
  const out: { region: Region; index: number; length: number }[] = [];
  for (const m of text.matchAll(PATTERN)) {
    const region = BY_SPELLING.get(m[0]);
    if (region) out.push({ region, index: m.index, length: m[0].length });
  }
  return out;
}

/** The region a whole text names (`Central Asia`, `the Balkans`, `ASEAN`), if it is one of its spellings. */
export function regionNamed(text: string): Region | undefined {
  const t = text.trim().replace(/^the\s+/i, '');
  return BY_SPELLING.get(t) ?? BY_SPELLING.get(`the ${t}`);
}
