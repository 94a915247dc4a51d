import { describe, expect, it } from 'vitest';
import { findScenario, importArticle } from '../../../src/core/import/index.ts';
import { fixture, ok } from './helpers.ts';

const TOKENS = [
  '<!channel>',
  '<!here>',
  '<@U123>',
  '@everyone',
  '@here',
  '<@&456>',
  '<@123>',
  '[fake](https://evil.example)',
  '*',
  '_',
  '~',
  '`',
  '<https://evil.example|click>',
  '&amp;',
];

describe('the hostile fixture article', () => {
  const result = importArticle(fixture('hostile.txt'), { filename: 'hostile.txt' });
  const article = ok(result);

  it('imports cleanly with sources and a scenario', () => {
    expect(result.warnings).toEqual([]);
    expect(article.sources.length).toBeGreaterThanOrEqual(2);
    expect(article.scenarios.map((s) => s.slug)).toEqual(['gulf']);
    expect(findScenario(article, 'first')?.slug).toBe('gulf');
  });

  it('keeps the markup and mention tokens verbatim everywhere, for the renderers to escape', () => {
    const where = {
      title: article.title,
      keyPoints: article.keyPoints.join(' '),
      body: article.passages.map((p) => p.text).join(' '),
      sourceTitles: article.sources.map((s) => s.title).join(' '),
      outlets: article.sources.map((s) => s.outlet).join(' '),
      scenario: article.passages
        .filter((p) => p.section === 'scenario')
        .map((p) => p.text)
        .join(' '),
    };
    for (const [place, text] of Object.entries(where)) {
      const present = TOKENS.filter((t) => text.includes(t));
      expect(present.length, `${place} carries hostile tokens`).toBeGreaterThanOrEqual(4);
    }
    const all = Object.values(where).join(' ');
    for (const token of TOKENS) expect(all).toContain(token);
  });

  it('takes only the real URL of each source, never a link hidden in its title', () => {
    expect(article.sources.map((s) => s.url)).toEqual([
      'https://shipping-monitor.example/gulf-2025',
      'https://energy-desk.example/pipelines',
    ]);
    expect(article.sources[0]?.title).toContain('[fake](https://evil.example)');
    expect(article.sources[1]?.title).toContain('<https://evil.example|click>');
  });

  it('cites both sources from the body', () => {
    expect(article.passages.map((p) => p.citations)).toEqual([[], [1], [2], [1, 2], [], []]);
  });
});
