import { describe, expect, it } from 'vitest';
import { detectScenarios, findScenario, importArticle } from '../../../src/core/import/index.ts';
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

  it('prefers a region or organisation over a country in the opening sentence', () => {
    const [s] = detectScenarios(['In the first scenario, Azerbaijan and Georgia deepen ties across the South Caucasus.']);
    expect(s?.slug).toBe('south-caucasus');
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
