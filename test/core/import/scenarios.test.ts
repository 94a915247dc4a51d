import { describe, expect, it } from 'vitest';
import { detectScenarios, findScenario, importArticle } from '../../../src/core/import/index.ts';
import { scenarioMatches } from '../../../src/core/import/scenarios.ts';
import { bundledText, ok } from './helpers.ts';

const article = ok(importArticle(bundledText()));

describe('findScenario on the bundled briefing', () => {
  it.each([
    ['central-asia', 'central-asia'],
    ['Central Asia', 'central-asia'],
    ['central_asia', 'central-asia'],
    ['CENTRAL-ASIA', 'central-asia'],
    ['  central   asia ', 'central-asia'],
    ['2', 'central-asia'],
    ['second', 'central-asia'],
    ['second scenario', 'central-asia'],
    ['the second scenario', 'central-asia'],
    ['Scenario 2', 'central-asia'],
    ['2nd', 'central-asia'],
    ['asean', 'asean'],
    ['ASEAN', 'asean'],
    ['southeast asia', 'asean'],
    ['Southeast-Asia', 'asean'],
    ['1', 'asean'],
    ['first', 'asean'],
    ['First scenario: ASEAN', 'asean'],
  ])('"%s" finds %s', (query, slug) => {
    expect(findScenario(article, query)?.slug).toBe(slug);
  });

  it.each(['mars', '', '   ', '3', 'third', 'asia'])('"%s" finds nothing', (query) => {
    expect(findScenario(article, query)).toBeUndefined();
  });

  it.each([
    ['central', 'central-asia'],
    ['Central', 'central-asia'],
    ['as', 'asean'],
    ['southeast', 'asean'],
  ])('the unique prefix "%s" finds %s', (query, slug) => {
    expect(findScenario(article, query)?.slug).toBe(slug);
  });
});

describe('scenario prefixes', () => {
  const scenarios = [
    { slug: 'nordic-states', ordinal: 1, label: 'First scenario: Nordic States', aliases: ['1', 'first'], passageIds: ['x#p1'] },
    { slug: 'north-africa', ordinal: 2, label: 'Second scenario: North Africa', aliases: ['2', 'second', 'maghreb'], passageIds: ['x#p2'] },
    { slug: 'scenario-10', ordinal: 10, label: 'Tenth scenario', aliases: ['10', 'tenth'], passageIds: ['x#p3'] },
  ];

  it('a unique prefix of a slug finds the scenario', () => {
    expect(findScenario({ scenarios }, 'nordic')?.slug).toBe('nordic-states');
    expect(findScenario({ scenarios }, 'north-af')?.slug).toBe('north-africa');
    expect(findScenario({ scenarios }, 'magh')?.slug).toBe('north-africa');
  });

  it('a prefix of several finds them all, and none alone', () => {
    expect(scenarioMatches({ scenarios }, 'nor').map((s) => s.slug)).toEqual(['nordic-states', 'north-africa']);
    expect(findScenario({ scenarios }, 'nor')).toBeUndefined();
  });

  it('a prefix starting like "the" or "no" is a prefix, not a word taken off it', () => {
    const more = [...scenarios, { slug: 'thessaly', ordinal: 3, label: 'Third scenario: Thessaly', aliases: ['3'], passageIds: ['x#p4'] }];
    expect(findScenario({ scenarios }, 'nordi')?.slug).toBe('nordic-states');
    expect(findScenario({ scenarios }, 'the nordic')?.slug).toBe('nordic-states');
    expect(scenarioMatches({ scenarios }, 'n').map((s) => s.slug)).toEqual(['nordic-states', 'north-africa']);
    expect(scenarioMatches({ scenarios }, 'no').map((s) => s.slug)).toEqual(['nordic-states', 'north-africa']);
    expect(findScenario({ scenarios: more }, 'thes')?.slug).toBe('thessaly');
    expect(findScenario({ scenarios: more }, 'no. 2')?.slug).toBe('north-africa');
    expect(findScenario({ scenarios: more }, 'the second')?.slug).toBe('north-africa');
  });

  it('a number is an ordinal, never a prefix', () => {
    expect(findScenario({ scenarios }, '1')?.slug).toBe('nordic-states');
    expect(scenarioMatches({ scenarios }, '3')).toEqual([]);
  });
});

describe('scenario detection', () => {
  it('names a scenario after the topic given with regarding, concerning, on or for', () => {
    const found = detectScenarios([
      'Intro text about many things.',
      'In the first scenario concerning the Middle East, tensions ease.',
      'In the second scenario on the Balkans, Serbia and Kosovo talk.',
      'In the third scenario for the Arctic, shipping lanes open.',
    ]);
    expect(found.map((s) => [s.slug, s.ordinal, s.label, s.paragraphs])).toEqual([
      ['middle-east', 1, 'First scenario: Middle East', [1]],
      ['balkans', 2, 'Second scenario: Balkans', [2]],
      ['arctic', 3, 'Third scenario: Arctic', [3]],
    ]);
  });

  it('names a scenario after the whole name it regards, not the first gazetteer word inside it', () => {
    const found = detectScenarios([
      'In the first scenario regarding the Arctic Council, the members agree on shipping rules.',
      'In the second scenario regarding the Nordic Council, Finland and Sweden lead.',
      'In the third scenario concerning the Association of Southeast Asian Nations, trade grows.',
      'In the fourth scenario regarding the Gulf Cooperation Council’s members, prices rise.',
    ]);
    expect(found.map((s) => [s.slug, s.label])).toEqual([
      ['arctic-council', 'First scenario: Arctic Council'],
      ['nordic-council', 'Second scenario: Nordic Council'],
      ['asean', 'Third scenario: ASEAN'],
      ['gcc', 'Fourth scenario: Gulf Cooperation Council'],
    ]);
  });

  it('names a scenario after a name joined by "of the" or running on after a possessive', () => {
    const found = detectScenarios([
      'In the first scenario regarding the Council of the European Union, members agree.',
      'In the second scenario regarding the X Council, China’s presence grows.',
      'In the third scenario regarding the EU’s Global Gateway, ports are built.',
    ]);
    expect(found.map((s) => [s.slug, s.label])).toEqual([
      ['council-of-the-european-union', 'First scenario: Council of the European Union'],
      ['x-council', 'Second scenario: X Council'],
      ['eus-global-gateway', 'Third scenario: EU’s Global Gateway'],
    ]);
  });

  it('finds headings without an article and names them after the name that follows the colon', () => {
    const found = detectScenarios([
      'First scenario: Kazakhstan as a hub. Kazakhstan builds ports.',
      'Second scenario: Arctic Council. China’s presence grows.',
      'Scenario 3: Arctic Council members. Talks stall.',
      'Scenario 4 – the Nordic States: cooperation deepens.',
    ]);
    expect(found.map((s) => [s.slug, s.ordinal, s.label])).toEqual([
      ['kazakhstan', 1, 'First scenario: Kazakhstan'],
      ['arctic-council', 2, 'Second scenario: Arctic Council'],
      ['arctic', 3, 'Third scenario: Arctic'],
      ['nordic-states', 4, 'Fourth scenario: Nordic States'],
    ]);
  });

  it('names a scenario after the place leading its subject although another opening mentions it in passing', () => {
    const second =
      'In the second scenario regarding Central Asia, China’s growing presence is expected to erode Russia’s sphere of influence and limit the US’s.';
    for (const [first, slug] of [
      ['In the first scenario, Russia loses influence in the region.', 'russia'],
      ['In the first scenario, the U.S. withdraws from the region.', 'us'],
    ]) {
      expect(detectScenarios([first as string, second]).map((s) => s.slug)).toEqual([slug, 'central-asia']);
    }
  });

  it('names a scenario after a place followed by a clause between commas', () => {
    const found = detectScenarios([
      'In the first scenario, Iran, backed by Russia, expands its reach.',
      'In the second scenario, trade falls.',
    ]);
    expect(found.map((s) => s.slug)).toEqual(['iran', 'scenario-2']);
  });

  it('does not name scenarios after a place leading every opening', () => {
    const found = detectScenarios(['In the first scenario, Russia wins.', 'In the second scenario, Russia loses.']);
    expect(found.map((s) => s.slug)).toEqual(['scenario-1', 'scenario-2']);
  });

  it('names a scenario regarding a topic in lower case after the one place it names', () => {
    const [s] = detectScenarios(['In the first scenario regarding energy security in the Black Sea, prices fall.']);
    expect(s?.slug).toBe('black-sea');
  });

  it('names a scenario after its leading subject when that is one place', () => {
    const found = detectScenarios([
      'In the first scenario, the Indo-Pacific stays calm.',
      'In the second scenario shaped by sanctions, Iran turns east and Russia helps.',
    ]);
    expect(found.map((s) => s.slug)).toEqual(['indo-pacific', 'iran']);
  });

  it('never names a scenario after one side of a pairing such as China–Europe, or one place of a list', () => {
    const china = 'China expands its trade. China invests. China builds ports. China lends. China trains engineers.';
    for (const opening of [
      'In the first scenario, China–Europe relations deepen as trade grows.',
      'In the first scenario, China-EU trade doubles.',
      'In the first scenario, Azerbaijan and Georgia deepen ties across the South Caucasus.',
      'In the first scenario, Europe, China and Russia agree on a framework.',
      'In the first scenario, Europe and the US agree on a framework.',
      'In the first scenario, Kazakhstan, Uzbekistan, and Kyrgyzstan integrate their grids.',
    ]) {
      const found = detectScenarios([china, opening, 'In the second scenario regarding Central Asia, China builds railways.']);
      expect(
        found.map((s) => [s.slug, s.label]),
        opening,
      ).toEqual([
        ['scenario-1', 'First scenario'],
        ['central-asia', 'Second scenario: Central Asia'],
      ]);
    }
  });

  it('gives "first" when the subject of the opening sentence names no place or several', () => {
    const found = detectScenarios([
      'In the first scenario, the digital integration of Vietnam and Malaysia with Japan is expected to deepen.',
      'In the second scenario, energy prices fall.',
    ]);
    expect(found.map((s) => s.label)).toEqual(['First scenario', 'Second scenario']);
  });

  it('uses a country when no region is named', () => {
    const [s] = detectScenarios(['In the first scenario, Kazakhstan expands its grain exports. Later the EU reacts.']);
    expect(s?.slug).toBe('kazakhstan');
    expect(s?.label).toBe('First scenario: Kazakhstan');
  });

  it('falls back to scenario-N when no region is named', () => {
    const found = detectScenarios(['In the first scenario, prices fall.', 'In the second scenario, prices rise.']);
    expect(found.map((s) => [s.slug, s.label, s.aliases])).toEqual([
      ['scenario-1', 'First scenario', ['1', 'first']],
      ['scenario-2', 'Second scenario', ['2', 'second']],
    ]);
  });

  it('keeps slugs unique when two scenarios are about the same region', () => {
    const found = detectScenarios([
      'In the first scenario regarding Europe, growth returns.',
      'In the second scenario regarding Europe, it stalls.',
    ]);
    expect(found.map((s) => s.slug)).toEqual(['europe', 'europe-2']);
  });

  it('adds a following "In this scenario" paragraph to the scenario it continues', () => {
    const found = detectScenarios([
      'In the first scenario regarding Africa, trade grows.',
      'In this scenario, ports expand too.',
      'Unrelated closing text.',
    ]);
    expect(found[0]?.paragraphs).toEqual([0, 1]);
  });

  it('does not take a scenario mentioned mid-paragraph for an opener', () => {
    expect(detectScenarios(['Analysts doubt that the first scenario regarding Asia is likely.'])).toEqual([]);
  });

  it('reads numbered openers such as "Scenario 2:"', () => {
    const found = detectScenarios(['Scenario 1: the Indo-Pacific stays calm.', 'Scenario two: the Gulf heats up.']);
    expect(found.map((s) => [s.slug, s.ordinal])).toEqual([
      ['indo-pacific', 1],
      ['gulf', 2],
    ]);
  });
});
