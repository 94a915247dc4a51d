import { describe, expect, it } from 'vitest';
import { sectionsOf } from '../../../src/core/article.ts';
import { importArticle } from '../../../src/core/import/index.ts';
import { bundledText, ok } from './helpers.ts';

const ID = 'central-asia-and-southeast-asia-in-chinas-counter-balancing-strategy';

describe('the bundled briefing in the pasted web format', () => {
  const result = importArticle(bundledText(), { filename: 'china-counter-balancing-central-asia-southeast-asia.txt' });
  const article = ok(result);

  it('imports with no warnings', () => {
    expect(result.warnings).toEqual([]);
    expect(article.format).toBe('web');
  });

  it('reads the kicker, the title and an id slugged from the title', () => {
    expect(article.kicker).toBe('Analysis');
    expect(article.title).toBe('Central Asia and Southeast Asia in China’s “Counter-Balancing” Strategy');
    expect(article.id).toBe(ID);
  });

  it('reads three key points and the other languages offered', () => {
    expect(article.keyPoints).toHaveLength(3);
    expect(article.keyPoints[0]).toMatch(/^China is aiming to construct geopolitical balancing/);
    expect(article.keyPoints[2]).toMatch(/multi-layered strategy\.$/);
    expect(article.otherLanguages).toEqual(['Türkçe', 'Русский']);
    expect(article.language).toBe('en');
  });

  it('splits the body into 15 passages with stable ids and line numbers', () => {
    expect(article.passages).toHaveLength(15);
    expect(article.passages.map((p) => p.id)).toEqual(Array.from({ length: 15 }, (_, i) => `${ID}#p${i + 1}`));
    expect(article.passages[0]?.text).toMatch(/^As of 2025, when the global system is evolving towards multipolarity/);
    expect(article.passages[0]?.line).toBe(13);
    expect(article.passages[14]?.text).toMatch(/^In conclusion, as of 2025/);
  });

  it('keeps footnote markers in the passage text and lists them as citations', () => {
    const p9 = article.passages[8];
    expect(p9?.text).toMatch(/Guangxi to Hanoi/);
    expect(p9?.text.endsWith('relations.[6]')).toBe(true);
    expect(p9?.citations).toEqual([6]);
    expect(article.passages.slice(3, 12).map((p) => p.citations)).toEqual([[1], [2], [3], [4], [5], [6], [7], [8], [9]]);
  });

  it('reads nine sources with their exact outlets, URLs and access dates', () => {
    expect(article.sources.map((s) => s.n)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(article.sources.map((s) => s.outlet)).toEqual([
      'Reuters',
      'Xinhua',
      'Ministry of Foreign Affairs the People’s Republic of China',
      'Ministry of Foreign Affairs the People’s Republic of China',
      'The Jamestown',
      'TV BRICS',
      'TV BRICS',
      'News Central Asia',
      'EADaily',
    ]);
    for (const s of article.sources) {
      expect(s.accessed).toBe('2025-05-23');
      expect(s.url).toMatch(/^https:\/\//);
    }
    expect(article.sources[5]).toMatchObject({
      n: 6,
      title: 'Kitay Zapustil Novyy Gruzovoy Zheleznodorozhnyy Marshrut v Strany ASEAN',
      url: 'https://tvbrics.com/news/kitay-zapustil-novyy-gruzovoy-zheleznodorozhnyy-marshrut-v-strany-asean',
      line: 54,
    });
    expect(article.sources[8]?.title).toBe('Tsentralnaya Aziya Vazhna Dlya Kitaya Kak Yedinyy Region — Zhaparov');
  });

  it('reads the author printed before the quoted title of source 5', () => {
    expect(article.sources[4]).toMatchObject({
      author: 'Matthew Johnson',
      title: 'Stabilization and ‘Struggle’: Strategic Signals from April’s Politburo and Trade Meetings',
      outlet: 'The Jamestown',
    });
    expect(article.sources.filter((s) => s.author)).toHaveLength(1);
  });

  it('reads the author block printed in capitals twice, then the bio', () => {
    expect(article.author?.name).toBe('Ergün Mamedov');
    expect(article.author?.bio).toMatch(/^Ergün Mamedov completed his education/);
    expect(article.author?.bio).toMatch(/South Caucasus and the Turkic world\.$/);
  });

  it('finds the two scenarios and names them asean and central-asia', () => {
    expect(article.scenarios).toEqual([
      {
        slug: 'asean',
        ordinal: 1,
        label: 'First scenario: ASEAN',
        aliases: ['southeast-asia', '1', 'first', 'scenario-1'],
        passageIds: [`${ID}#p13`],
      },
      {
        slug: 'central-asia',
        ordinal: 2,
        label: 'Second scenario: Central Asia',
        aliases: ['2', 'second', 'scenario-2'],
        passageIds: [`${ID}#p14`],
      },
    ]);
    expect(article.passages[13]).toMatchObject({ section: 'scenario', scenario: 'central-asia' });
  });

  it('assigns introduction, body, scenario and conclusion sections', () => {
    expect(sectionsOf(article).map((s) => [s.kind, s.passages.length])).toEqual([
      ['introduction', 3],
      ['body', 9],
      ['scenario', 2],
      ['conclusion', 1],
    ]);
  });

  it('drops the trailing Similar Posts line', () => {
    expect(JSON.stringify(article)).not.toContain('Similar Posts');
  });

  it('uses an id given in the options instead of the title slug', () => {
    const given = ok(importArticle(bundledText(), { id: 'china-balancing' }));
    expect(given.id).toBe('china-balancing');
    expect(given.passages[0]?.id).toBe('china-balancing#p1');
    expect(given.scenarios[1]?.passageIds).toEqual(['china-balancing#p14']);
  });
});
