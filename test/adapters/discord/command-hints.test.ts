import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commands } from '../../../commands/index.ts';
import { chatInput } from '../../fakes/discord-interactions.ts';
import { articleFromFile, BUNDLED_FILE, libraryOf, SECOND_FILE } from '../../helpers/library.ts';
import { type Callback, type Harness, startHarness, visibleTexts } from './harness.ts';

/**
 * Answers that name a command write it as Discord members type it, with named options: /help,
 * the scenario hints of /brief, usage errors, "see /sources". Text typed as `--article id`
 * inside a question is read as the article option. Over the gateway here, over signed HTTP
 * interactions in command-hints-http.test.ts.
 */

let h: Harness;
let app: string;
const bundled = articleFromFile(BUNDLED_FILE);
const second = articleFromFile(SECOND_FILE);

beforeAll(async () => {
  // The second briefing is the newer one: hints about the bundled one must name it.
  h = await startHarness(libraryOf(bundled, second), commands);
  app = h.fake.applicationId;
});
afterAll(async () => h?.close());

const texts = (cb: Callback) => visibleTexts(cb).join('\n');

describe('command hints on Discord', () => {
  it('/help lists every command with its options as Discord shows them', async () => {
    const cb = await h.push(chatInput(app, 'help'));
    const description = cb.data.embeds?.[0]?.description ?? '';
    // Usage lines are inline code: shown, and copied, exactly as written.
    expect(description).toContain('`/ask question:<question> [article:<id>] [page:<page>]` Ask a question');
    expect(description).toContain('`/source n:<n> [article:<id>]` Show a numbered source');
    expect(description).toContain('`/digest subscribe | unsubscribe | status | preview | now` Scheduled briefing digests');
    expect(description).not.toContain('--article');
    expect(cb.data.embeds?.[0]?.footer?.text).toBe(
      'Try /brief, then /scenario name:central-asia or /ask question:What did Japarov call for?',
    );
  });

  it('/help ask shows its examples with named options', async () => {
    const cb = await h.push(chatInput(app, 'help', { command: 'ask' }));
    expect(cb.data.embeds?.[0]?.title).toBe('/ask question:\\<question\\> \\[article:\\<id\\>\\] \\[page:\\<page\\>\\]');
    expect(cb.data.embeds?.[0]?.description).toContain('**Example** `/ask question:free trade agreement article:central-asia`');
    const digest = await h.push(chatInput(app, 'help', { command: 'digest' }));
    expect(digest.data.embeds?.[0]?.description).toContain('**Example** `/digest subscribe when:30 8 * * 1-5 timezone:America/New_York`');
  });

  it('/brief names each scenario as /scenario name:… article:… for a briefing other than the newest', async () => {
    const cb = await h.push(chatInput(app, 'brief', { article: bundled.id }));
    const description = cb.data.embeds?.[0]?.description ?? '';
    expect(description).toContain(`First scenario: ASEAN — /scenario name:asean article:${bundled.id}`);
    expect(description).toContain(`Second scenario: Central Asia — /scenario name:central-asia article:${bundled.id}`);
    const newest = await h.push(chatInput(app, 'brief'));
    expect(newest.data.embeds?.[0]?.description).toMatch(/— \/scenario name:[a-z-]+\n|— \/scenario name:[a-z-]+$/);
  });

  it('a refused value names the option, the command that lists good ones and the usage, in option syntax', async () => {
    const cb = await h.push(chatInput(app, 'source', { n: 'x' }));
    expect(cb.data.content).toBe(
      '⚠️ /source: n "x": must be a whole number such as 6; /sources lists them. Usage: /source n:\\<n\\> \\[article:\\<id\\>\\]',
    );
    const sources = await h.push(chatInput(app, 'sources', { article: bundled.id }));
    expect(sources.data.embeds?.[0]?.description).toBe(
      `9 numbered sources. /source n:\\<n\\> article:${bundled.id} shows the passages that cite one.`,
    );
  });

  it('--article typed inside the question searches that briefing, and the question is the rest', async () => {
    const cb = await h.push(chatInput(app, 'ask', { question: 'pipeline --article south' }));
    expect(cb.data.embeds?.[0]?.title).toBe('“pipeline”');
    expect(cb.data.embeds?.[0]?.footer?.text).toContain(second.title);
    const other = await h.push(chatInput(app, 'ask', { question: `free trade --article ${bundled.id.slice(0, 12)}` }));
    expect(other.data.embeds?.[0]?.title).toBe('“free trade”');
    expect(texts(other)).not.toContain('No passage mentions');
    expect(other.data.embeds?.[0]?.footer?.text).toContain(bundled.title);
  });

  it('an article filled in as an option wins over --article in the text, which then stays part of the question', async () => {
    const cb = await h.push(chatInput(app, 'ask', { question: 'free trade --article south', article: bundled.id }));
    expect(cb.data.embeds?.[0]?.title).toBe('“free trade --article south”');
    expect(cb.data.embeds?.[0]?.footer?.text).toContain(bundled.title);
  });
});
