import { describe, expect, it } from 'vitest';
import { generateCorpus } from '../../bench/corpus.ts';
import { commands } from '../../commands/index.ts';
import { sourceChoices } from '../../commands/source.ts';
import { MAX_OPTION_LENGTH, maxLengthOf } from '../../src/core/command.ts';
import { roughCount } from '../../src/core/command-kit.ts';
import { runLine } from '../../src/core/dispatch.ts';
import { importArticle } from '../../src/core/import/index.ts';
import { Library } from '../../src/core/library.ts';
import type { OkReply, Reply } from '../../src/core/reply.ts';
import { PassageIndex } from '../../src/core/search/passage-index.ts';
import { bundledLibrary, libraryOf, testContext, twoArticleLibrary } from '../helpers/library.ts';

const library = await bundledLibrary();
const run = (line: string) => runLine(commands, line, testContext(library));

function ok(reply: Reply): OkReply {
  if (!reply.ok) throw new Error(`expected an answer, got ${reply.error.code}: ${reply.error.message}`);
  return reply;
}

function failure(reply: Reply) {
  if (reply.ok) throw new Error(`expected an error, got "${reply.title}"`);
  return reply.error;
}

describe('/source', () => {
  it('source 6 shows TV BRICS with its link, access date and the Guangxi railway passage', async () => {
    const reply = ok(await run('/source 6'));
    expect(reply.sources).toEqual([
      expect.objectContaining({
        n: 6,
        outlet: 'TV BRICS',
        url: 'https://tvbrics.com/news/kitay-zapustil-novyy-gruzovoy-zheleznodorozhnyy-marshrut-v-strany-asean',
        accessed: '2025-05-23',
      }),
    ]);
    expect(reply.title).toContain('Kitay Zapustil');
    expect(reply.excerpts).toHaveLength(1);
    expect(reply.excerpts[0]?.passageText).toContain('Guangxi to Hanoi');
    expect(reply.excerpts[0]?.citations).toEqual([6]);
  });

  it('source 10 on a 9-source briefing names the valid range', async () => {
    const error = failure(await run('/source 10'));
    expect(error.code).toBe('unknown-source');
    expect(error.message).toContain('Source 10 does not exist');
    expect(error.message).toContain('sources 1-9');
  });

  it('source abc explains that the argument is a whole number', async () => {
    const error = failure(await run('/source abc'));
    expect(error.code).toBe('invalid-option');
    expect(error.message).toContain('"abc"');
    expect(error.message).toContain('whole number such as 6');
  });

  it('source 0 explains that sources are numbered from 1', async () => {
    const error = failure(await run('/source 0'));
    expect(error.message).toContain('"0"');
    expect(error.message).toContain('numbered from 1');
  });

  it('autocomplete offers sources by number, title, outlet or author, diacritics and case aside', () => {
    const { sources } = library.list()[0]!.article;
    const values = (typed: string) => sourceChoices(sources, typed).map((c) => c.value);
    expect(values('')).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(values('6')).toEqual([6]);
    expect(values('kitay')).toEqual([6, 8, 9]);
    expect(values('kitay zapustil')).toEqual([6]);
    expect(values('TV BRICS')).toEqual([6, 7]);
    // Words match from their start: "tv" is the outlet, not the middle of "Predsedatelstva".
    expect(values('tv')).toEqual([6, 7]);
    expect(sourceChoices(sources, 'tv').map((c) => c.name.slice(0, 15))).toEqual(['[6] TV BRICS — ', '[7] TV BRICS — ']);
    expect(values('jamest')).toEqual([5]);
    expect(values('reuters')).toEqual([1]);
    expect(values('ministry of foreign')).toEqual([3, 4]);
    expect(values('matthew')).toEqual([5]);
    expect(values('jamestown johnson')).toEqual([5]);
    expect(values('EADAİLY')).toEqual([9]);
    expect(values('nothing like this')).toEqual([]);
    for (const c of sourceChoices(sources, '')) expect(c.name.length).toBeLessThanOrEqual(100);
    expect(sourceChoices(sources, 'jamestown johnson')[0]?.name).toMatch(/^\[5\] Matthew Johnson, The Jamestown — Stabilization/);
  });

  it('source with no number gives usage with the range', async () => {
    const error = failure(await run('/source'));
    expect(error.code).toBe('usage');
    expect(error.message).toContain('sources 1-9');
  });
});

describe('/scenario', () => {
  it('scenario central-asia returns the second-scenario paragraph', async () => {
    const reply = ok(await run('/scenario central-asia'));
    expect(reply.excerpts[0]?.text).toMatch(/^In the second scenario regarding Central Asia/);
    expect(reply.excerpts[0]?.label).toMatch(/Central Asia/);
    expect(reply.title).toMatch(/Central Asia/);
  });

  it.each(['Central Asia', 'CENTRAL-ASIA', '2', 'second'])('scenario "%s" finds the Central Asia scenario', async (name) => {
    const reply = ok(await run(`/scenario ${name}`));
    expect(reply.excerpts[0]?.text).toContain('second scenario regarding Central Asia');
  });

  it.each(['asean', 'southeast-asia', 'Southeast Asia', '1', 'first'])('scenario "%s" finds the ASEAN scenario', async (name) => {
    const reply = ok(await run(`/scenario ${name}`));
    expect(reply.excerpts[0]?.text).toContain('In the first scenario');
  });

  it('scenario "central" finds central-asia by its unique prefix', async () => {
    const reply = ok(await run('/scenario central'));
    expect(reply.title).toBe('Second scenario: Central Asia');
  });

  it('a prefix of two scenarios names both and asks for more of the name', async () => {
    const text = [
      'Two Norths',
      '',
      'Opening paragraph about the two regions.',
      '',
      'In the first scenario regarding North Africa, ports grow.',
      '',
      'In the second scenario regarding the North Caucasus, pipelines grow.',
    ].join('\n');
    const imported = importArticle(text);
    if (!imported.ok) throw new Error('fixture did not import');
    const reply = await runLine(commands, '/scenario north', testContext(libraryOf(imported.article)));
    expect(failure(reply)).toEqual({
      code: 'ambiguous-scenario',
      message: '"north" matches 2 scenarios (north-africa, north-caucasus): type more of the name.',
    });
  });

  it('scenario mars lists the scenarios that exist', async () => {
    const error = failure(await run('/scenario mars'));
    expect(error.code).toBe('unknown-scenario');
    expect(error.message).toContain('"mars"');
    expect(error.message).toContain('asean');
    expect(error.message).toContain('central-asia');
  });
});

describe('/ask', () => {
  it('an empty ask gives usage', async () => {
    const error = failure(await run('/ask'));
    expect(error.code).toBe('usage');
    expect(error.message).toContain('/ask What did Japarov call for?');
  });

  it('answers with cited excerpts and resolved sources', async () => {
    const reply = ok(await run('/ask How much time does the new Guangxi freight service save?'));
    const top = reply.excerpts[0];
    expect(top?.passageText).toContain('26 hours');
    expect(top?.citations).toContain(6);
    expect(reply.sources.map((s) => s.n)).toContain(6);
    expect(reply.actions?.[0]).toEqual({ type: 'share', label: 'Share in channel' });
  });

  // A pasted wall of text: the briefing's own paragraphs.
  const wall = library
    .list()[0]!
    .article.passages.map((p) => p.text)
    .join(' ');

  it('a 1,000-character question gets an answer that says only its most specific words were searched', async () => {
    const reply = ok(await run(`/ask ${wall.slice(0, 1000).trim()}`));
    expect(reply.text).toMatch(/Your question is long \([\d,]+ characters\); I searched its first 32 distinct terms\./);
    expect(reply.excerpts.length).toBeGreaterThan(0);
  });

  it('a question over 1,000 characters is refused with input-too-long naming the limit', async () => {
    const error = failure(await run(`/ask ${wall.slice(0, 5000)}`));
    expect(error).toEqual({
      code: 'input-too-long',
      message:
        '/ask: question is 5,000 characters; the limit is 1,000 on every platform. Keep it short, e.g. /ask What did Japarov call for?',
    });
    expect(failure(await run(`/ask ${'a'.repeat(1001)}`)).code).toBe('input-too-long');
    expect((await run(`/ask ${'a'.repeat(1000)}`)).ok).toBe(true);
  });

  it('every option has one limit, within what Discord can register', () => {
    for (const command of commands) {
      for (const option of [...command.options, ...(command.subcommands ?? []).flatMap((s) => s.options)]) {
        expect(maxLengthOf(option), `${command.name} ${option.name}`).toBeLessThanOrEqual(MAX_OPTION_LENGTH);
      }
    }
    expect(maxLengthOf(commands.find((c) => c.name === 'ask')!.options[0]!)).toBe(1000);
  });

  it('gives an estimated total to two significant figures ("of about 1,200")', async () => {
    expect([7, 99, 100, 1_447, 11_662, 96_500].map(roughCount)).toEqual([7, 99, 100, 1_400, 12_000, 97_000]);
    // Early stops forced on every question, so broad questions get estimated totals.
    const big = new Library(new PassageIndex({ pruneFrom: 0 }));
    for (const a of generateCorpus({ articles: 200, seed: 11 })) big.add(a, { addedAt: '2025-01-01T00:00:00.000Z', origin: 'content' });
    const texts = await Promise.all(
      ['China', 'American influence in South Caucasus', 'What is the first scenario for Middle East?', 'trade'].map(
        async (q) => ok(await runLine(commands, `/ask ${q}`, testContext(big))).text ?? '',
      ),
    );
    const estimated = texts.map((t) => /of about ([\d,]+)\./.exec(t)?.[1]).filter((n): n is string => n !== undefined);
    expect(estimated.length).toBeGreaterThan(0);
    for (const n of estimated) expect(n.replace(/,/g, '')).toMatch(/^(?:\d{1,2}|\d{2}0+)$/);
  });

  it('a question with one word no passage holds answers from the others and names that word', async () => {
    const reply = ok(await run('/ask What did Japarov call for on Xylophones?'));
    expect(reply.excerpts[0]?.passageText).toContain('Japarov');
    expect(reply.text).toContain('No passage mentions “Xylophones”; these passages match the rest of your question.');
  });

  it('a misspelt name finds its passages', async () => {
    const reply = ok(await run('/ask beijin'));
    expect(reply.excerpts.length).toBeGreaterThan(0);
    expect(reply.excerpts.every((e) => e.passageText.includes('Beijing'))).toBe(true);
  });

  it('a question with nothing relevant says so and suggests terms instead of noise', async () => {
    const reply = ok(await run('/ask zebra quantum pizza'));
    expect(reply.excerpts).toHaveLength(0);
    expect(reply.text).toContain('Nothing in the briefings answers');
  });
});

describe('/brief, /sources, /articles, /help', () => {
  it('brief shows title, author, key points, scenarios, source count and other languages', async () => {
    const reply = ok(await run('/brief'));
    expect(reply.title).toBe('Central Asia and Southeast Asia in China’s “Counter-Balancing” Strategy');
    expect(reply.text).toContain('By Ergün Mamedov');
    expect(reply.text).toContain('9 sources');
    expect(reply.text).toContain('Türkçe');
    expect(reply.items?.filter((i) => i.label === 'Key point')).toHaveLength(3);
    expect(reply.items?.filter((i) => i.label === 'Scenario').map((i) => i.text)).toEqual([
      expect.stringContaining('/scenario asean'),
      expect.stringContaining('/scenario central-asia'),
    ]);
  });

  it('sources lists all nine with outlets', async () => {
    const reply = ok(await run('/sources'));
    expect(reply.sources.map((s) => s.n)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(reply.sources[4]).toMatchObject({ author: 'Matthew Johnson', outlet: 'The Jamestown' });
  });

  it('articles lists the bundled briefing by id', async () => {
    const reply = ok(await run('/articles'));
    expect(reply.items?.[0]?.label).toBe(library.list()[0]?.article.id);
  });

  it('help lists every command', async () => {
    const reply = ok(await run('/help'));
    for (const c of ['/ask', '/scenario', '/source', '/sources', '/brief', '/articles', '/help']) {
      expect(reply.items?.some((i) => i.label?.startsWith(c))).toBe(true);
    }
  });

  it('an unknown command lists the known ones', async () => {
    const error = failure(await run('/weather'));
    expect(error.code).toBe('unknown-command');
    expect(error.message).toContain('"/weather"');
    expect(error.message).toContain('/ask');
    expect(error.message).toContain('/scenario');
  });
});

describe('several briefings', () => {
  it('commands default to the newest briefing and accept an id prefix', async () => {
    const two = await twoArticleLibrary();
    const [newest, older] = two.list();
    const ctx = testContext(two);
    const brief = ok(await runLine(commands, '/brief', ctx));
    expect(brief.title).toBe(newest?.article.title);
    const prefix = older?.article.id.slice(0, 12) ?? '';
    const olderBrief = ok(await runLine(commands, `/brief --article ${prefix}`, ctx));
    expect(olderBrief.title).toBe(older?.article.title);
    const source = ok(await runLine(commands, `/source 6 --article ${prefix}`, ctx));
    expect(source.sources[0]?.outlet).toBe('TV BRICS');
  });

  it('an unknown article id names it and lists the known ones', async () => {
    const error = failure(await runLine(commands, '/brief --article nosuch', testContext(await twoArticleLibrary())));
    expect(error.code).toBe('unknown-article');
    expect(error.message).toContain('"nosuch"');
  });
});
