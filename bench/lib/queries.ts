import { Prng } from './prng.ts';
import { CITIES, COUNTRIES, DEMONYMS, FIRST_NAMES, LAST_NAMES, ORGANISATIONS, REGIONS, TOPICS } from './vocab.ts';

const bare = (c: string): string => c.replace(/^the /, '');

/**
 * A fixed mix of 1-8 word natural questions, stop words included, the way people type them
 * after /ask: names, places, organisations and their acronyms, topics, figures, a few typos
 * and words no briefing contains.
 */
export function benchQuestions(count = 300, seed = 99): string[] {
  const rng = new Prng(seed);
  const out: string[] = [];
  const person = (): string => `${rng.pick(FIRST_NAMES)} ${rng.pick(LAST_NAMES)}`;
  const typo = (w: string): string => {
    const i = rng.int(1, Math.max(1, w.length - 2));
    return w.slice(0, i) + w.slice(i + 1);
  };
  const templates: (() => string)[] = [
    () => bare(rng.pick(COUNTRIES)),
    () => rng.pick(TOPICS),
    () => rng.pick(ORGANISATIONS)[1],
    () => `What did ${person()} say?`,
    () => `What did ${person()} say about ${rng.pick(TOPICS)}?`,
    () => `${bare(rng.pick(COUNTRIES))} ${rng.pick(TOPICS)}`,
    () => `How much trade between ${bare(rng.pick(COUNTRIES))} and ${bare(rng.pick(COUNTRIES))}?`,
    () => `When did ${rng.pick(LAST_NAMES)} visit ${rng.pick(CITIES)}?`,
    () => `What is the role of the ${rng.pick(ORGANISATIONS)[0]}?`,
    () => `Who met in ${rng.pick(CITIES)} in May?`,
    () => `Why is ${bare(rng.pick(COUNTRIES))} investing in ${rng.pick(TOPICS)} in ${bare(rng.pick(REGIONS))}?`,
    () => `${rng.pick(DEMONYMS)} influence in ${bare(rng.pick(REGIONS))}`,
    () => `What is the first scenario for ${bare(rng.pick(REGIONS))}?`,
    () => `How did ${rng.pick(LAST_NAMES)} describe the ${rng.pick(TOPICS)} talks?`,
    () => `growth rate of ${bare(rng.pick(COUNTRIES))} economy`,
    () => `Who is ${typo(rng.pick(LAST_NAMES))}?`,
    () => `is it about the the what`,
    () => `xyzzy flurb ${rng.pick(['quux', 'blorf', 'zzyzx'])}`,
    () => `what does the ${rng.pick(ORGANISATIONS)[1]} do for ${rng.pick(TOPICS)} and ${rng.pick(TOPICS)} in ${bare(rng.pick(REGIONS))}`,
  ];
  for (let i = 0; i < count; i++) out.push((templates[i % templates.length] as () => string)());
  return out;
}
