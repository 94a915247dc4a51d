import { describe, expect, it } from 'vitest';
import { bestLongForm, findAcronymDefinitions } from '../../../src/core/search/acronyms.ts';

describe('findAcronymDefinitions', () => {
  it('finds the long forms the bundled briefing defines', () => {
    const text =
      'Amid tensions with the United States (US), the quest with the European Union (EU), member states of the Association of Southeast Asian Nations (ASEAN) and the meeting of the Chinese Communist Party (CCP) Politburo.';
    expect(findAcronymDefinitions(text)).toEqual([
      { longForm: 'United States', acronym: 'US' },
      { longForm: 'European Union', acronym: 'EU' },
      { longForm: 'Association of Southeast Asian Nations', acronym: 'ASEAN' },
      { longForm: 'Chinese Communist Party', acronym: 'CCP' },
    ]);
  });

  it('ignores brackets that do not explain the words before them', () => {
    expect(findAcronymDefinitions('The talks (TBD) were held in Berlin (2025) and in Paris (see above).')).toEqual([]);
  });

  it('matches acronym letters inside words as Schwartz and Hearst do', () => {
    expect(bestLongForm('ASEAN', 'members of the Association of Southeast Asian Nations')).toBe('Association of Southeast Asian Nations');
    expect(bestLongForm('XYZ', 'no such words')).toBeUndefined();
  });
});
