import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commands } from '../../../commands/index.ts';
import type { ButtonElement, SlackBlock } from '../../../src/adapters/slack/block-types.ts';
import { bundledLibrary } from '../../helpers/library.ts';
import { APP_TOKEN, BOT_TOKEN, type Harness, SIGNING_SECRET, startHarness, textsOf } from './harness.ts';

/** Example text per command, so each one gets a meaningful invocation. */
const EXAMPLES: Record<string, string> = { ask: 'What did Japarov call for?', scenario: 'central-asia', source: '6', help: 'source' };

type Ack = { response_type?: string; text?: string; blocks?: SlackBlock[] };

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ library: await bundledLibrary() });
});
afterAll(async () => h?.close());

function buttons(message: { blocks?: SlackBlock[] }): ButtonElement[] {
  return (message.blocks ?? []).flatMap((b) => (b.type === 'actions' ? b.elements : []));
}

function contextTexts(message: { blocks?: SlackBlock[] }): string[] {
  return (message.blocks ?? []).flatMap((b) => (b.type === 'context' ? b.elements.map((e) => e.text) : []));
}

describe('slash commands over HTTP against the loopback Slack', () => {
  it('/scenario central-asia is acknowledged with the cited scenario in Block Kit', async () => {
    const res = await h.slash('/scenario', 'central-asia');
    expect(res.status).toBe(200);
    const ack = res.json() as Ack;
    expect(ack.response_type).toBe('ephemeral');
    expect(ack.blocks?.[0]).toMatchObject({ type: 'header', text: { text: 'Second scenario: Central Asia' } });
    const section = ack.blocks?.find((b) => b.type === 'section');
    expect(section?.type === 'section' && section.text.text).toMatch(
      /^\*Second scenario: Central Asia\*\nIn the second scenario regarding Central Asia/,
    );
    expect(contextTexts(ack).join('\n')).toContain('Ergün Mamedov');
    expect(buttons(ack).map((b) => b.action_id)).toContain('briefing_share');
  });

  it('/source 6 shows TV BRICS with its link', async () => {
    const ack = (await h.slash('/source', '6')).json() as Ack;
    expect(contextTexts(ack)).toContain(
      '*[6]* <https://tvbrics.com/news/kitay-zapustil-novyy-gruzovoy-zheleznodorozhnyy-marshrut-v-strany-asean|Kitay Zapustil Novyy Gruzovoy Zheleznodorozhnyy Marshrut v Strany ASEAN> · TV BRICS · accessed 2025-05-23',
    );
  });

  it('"Share in channel" posts the same answer publicly with who shared it, then removes the private copy', async () => {
    const ack = (await h.slash('/source', '6')).json() as Ack;
    const share = buttons(ack).find((b) => b.action_id === 'briefing_share') as ButtonElement;
    const before = h.fake.callsTo('chat.postMessage').length;
    const res = await h.click('briefing_share', share.value as string, { id: 'share-1', userId: 'U0BOB', channelId: 'C0TEAM' });
    expect(res.status).toBe(200);
    await h.fake.until(() => h.fake.responsesTo('share-1').length > 0);
    const [post] = h.fake.callsTo('chat.postMessage').slice(before);
    expect(post?.body).toMatchObject({ channel: 'C0TEAM', unfurl_links: 'false' });
    expect(post?.authorization).toBe(`Bearer ${BOT_TOKEN}`);
    const blocks = post?.body.blocks as SlackBlock[];
    expect(blocks[0]).toEqual({ type: 'context', block_id: 'shared-by', elements: [{ type: 'mrkdwn', text: 'Shared by <@U0BOB>' }] });
    expect(blocks.filter((b) => b.type === 'section')).toEqual(ack.blocks?.filter((b) => b.type === 'section'));
    expect(contextTexts({ blocks }).join('\n')).toContain('TV BRICS');
    expect(blocks.some((b) => b.type === 'actions' && b.elements.some((e) => e.action_id === 'briefing_share'))).toBe(false);
    expect(h.fake.responsesTo('share-1')).toEqual([{ id: 'share-1', body: { delete_original: true } }]);
  });

  it('answers every command, each with Block Kit in the acknowledgement', async () => {
    for (const command of commands) {
      const res = await h.slash(`/${command.name}`, EXAMPLES[command.name] ?? '');
      expect(res.status, command.name).toBe(200);
      const ack = res.json() as Ack;
      expect(ack.response_type, command.name).toBe('ephemeral');
      expect(ack.blocks?.length, command.name).toBeGreaterThan(0);
      expect(typeof ack.text, command.name).toBe('string');
    }
  });

  it('reaches every command through /briefing (whose answers name commands as /briefing <name>), and /briefing alone shows help', async () => {
    for (const command of commands) {
      const direct = (await h.slash(`/${command.name}`, EXAMPLES[command.name] ?? '')).json() as Ack;
      const umbrella = (await h.slash('/briefing', `${command.name} ${EXAMPLES[command.name] ?? ''}`)).json() as Ack;
      const blocks = (ack: Ack) => JSON.stringify(ack.blocks?.filter((b) => b.type !== 'actions'));
      expect(blocks(umbrella).replaceAll('/briefing ', '/'), command.name).toEqual(blocks(direct));
    }
    const help = (await h.slash('/briefing', '')).json() as Ack;
    expect(help.blocks?.[0]).toMatchObject({ type: 'header', text: { text: 'briefing-bot commands' } });
  });

  it('runs every button the answers offer, answering privately through response_url', async () => {
    const seen = new Set<string>();
    for (const [name, text] of [
      ['ask', 'What did Japarov call for?'],
      ['brief', ''],
      ['scenario', 'central-asia'],
      ['ask', 'ASEAN trade'],
    ]) {
      const ack = (await h.slash(`/${name}`, text as string)).json() as Ack;
      for (const button of buttons(ack).filter((b) => b.action_id !== 'briefing_share')) {
        const id = `btn-${seen.size}`;
        seen.add(button.text.text);
        expect((await h.click(button.action_id, button.value as string, { id })).status).toBe(200);
        await h.fake.until(() => h.fake.responsesTo(id).length > 0);
        const [first] = h.fake.responsesTo(id);
        expect(first?.body, button.text.text).toMatchObject({ response_type: 'ephemeral', replace_original: false });
        const blocks = first?.body.blocks as SlackBlock[];
        expect(blocks[0]?.type, `${button.text.text} answered without an error`).toBe('header');
      }
    }
    expect(seen).toContain('More results');
    expect([...seen].some((l) => l.startsWith('Source ['))).toBe(true);
    expect(seen).toContain('Sources');
    expect([...seen].some((l) => /scenario/i.test(l))).toBe(true);
  });

  it('refuses a question over the limit of every platform, directly and through /briefing', async () => {
    for (const [command, text, typed] of [
      ['/ask', 'a'.repeat(1001), '/ask'],
      ['/briefing', `ask ${'a'.repeat(1001)}`, '/briefing ask'],
    ] as const) {
      const ack = (await h.slash(command, text)).json() as Ack;
      expect(ack.response_type).toBe('ephemeral');
      expect(textsOf(ack).join(' '), command).toContain(
        `${typed}: question is 1,001 characters; the limit is 1,000 on every platform. Keep it short, e.g. ${typed} What did Japarov call for?`,
      );
    }
    const fits = (await h.slash('/ask', `Japarov ${'a'.repeat(992)}`)).json() as Ack;
    expect(textsOf(fits).join(' ')).not.toContain('the limit is');
  });

  it('"More results" shows the next page of /ask', async () => {
    const ack = (await h.slash('/ask', 'China ASEAN trade')).json() as Ack;
    const more = buttons(ack).find((b) => b.text.text === 'More results') as ButtonElement;
    expect(JSON.parse(more.value as string)).toMatchObject({ c: 'ask', o: { question: 'China ASEAN trade', page: 2 } });
    await h.click(more.action_id, more.value as string, { id: 'more' });
    await h.fake.until(() => h.fake.responsesTo('more').length > 0);
    expect(textsOf(h.fake.responsesTo('more')[0]?.body).join(' ')).toMatch(/Results 4-/);
  });

  it('reports an expired button instead of failing silently', async () => {
    await h.click('briefing_run_0', '{"k":"00000000-0000-4000-8000-000000000000"}', { id: 'expired' });
    await h.fake.until(() => h.fake.responsesTo('expired').length > 0);
    expect(textsOf(h.fake.responsesTo('expired')[0]?.body).join(' ')).toContain('This button has expired');
  });

  it('shares once when the button is clicked twice, and tells the second click who shared it', async () => {
    const ack = (await h.slash('/source', '6')).json() as Ack;
    const share = buttons(ack).find((b) => b.action_id === 'briefing_share') as ButtonElement;
    const before = h.fake.callsTo('chat.postMessage').length;
    await h.click('briefing_share', share.value as string, { id: 'twice-1', messageTs: '1700000000.222222' });
    await h.click('briefing_share', share.value as string, { id: 'twice-2', messageTs: '1700000000.222222' });
    await h.fake.until(() => h.fake.responsesTo('twice-1').length > 0);
    // A later, distinct share proves the second click was handled before it.
    await h.click('briefing_share', share.value as string, { id: 'twice-3', messageTs: '1700000000.333333' });
    await h.fake.until(() => h.fake.responsesTo('twice-3').length > 0);
    await h.fake.until(() => h.fake.responsesTo('twice-2').length > 0);
    expect(h.fake.callsTo('chat.postMessage').length - before).toBe(2);
    expect(textsOf(h.fake.responsesTo('twice-2')[0]?.body).join(' ')).toMatch(/(already|being) shared in <#C0GENERAL> by <@U0ALICE>/);
  });

  it('waits out a 429 from chat.postMessage and retries', async () => {
    const ack = (await h.slash('/scenario', 'asean')).json() as Ack;
    const share = buttons(ack).find((b) => b.action_id === 'briefing_share') as ButtonElement;
    const before = h.fake.callsTo('chat.postMessage').length;
    h.fake.script('chat.postMessage', { status: 429, headers: { 'retry-after': '0' }, json: { ok: false, error: 'ratelimited' } });
    await h.click('briefing_share', share.value as string, { id: 'share-429' });
    await h.fake.until(() => h.fake.responsesTo('share-429').length > 0);
    const posts = h.fake.callsTo('chat.postMessage').slice(before);
    expect(posts).toHaveLength(2);
    expect(posts[1]?.body).toEqual(posts[0]?.body);
    expect(h.fake.responsesTo('share-429')[0]?.body).toEqual({ delete_original: true });
  });

  it('tells the user when Slack refuses to post the shared answer', async () => {
    const ack = (await h.slash('/source', '6')).json() as Ack;
    const share = buttons(ack).find((b) => b.action_id === 'briefing_share') as ButtonElement;
    h.fake.script('chat.postMessage', { json: { ok: false, error: 'not_in_channel' } });
    await h.click('briefing_share', share.value as string, { id: 'share-refused' });
    await h.fake.until(() => h.fake.responsesTo('share-refused').length > 0);
    const body = h.fake.responsesTo('share-refused')[0]?.body;
    expect(body).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect(textsOf(body).join(' ')).toContain(
      'Could not share this answer: I am not in this channel: add me with /invite, then try again. (Slack said: `not_in_channel`)',
    );
  });

  it('answers a mention in a thread', async () => {
    const before = h.fake.callsTo('chat.postMessage').length;
    const { eventCallback, signedPost } = await import('../../fakes/slack-requests.ts');
    const body = JSON.stringify(
      eventCallback({
        type: 'app_mention',
        user: 'U0ALICE',
        text: '<@UBOT> source 6',
        ts: '1700000001.000200',
        channel: 'C0TEAM',
        event_ts: '1700000001.000200',
      }),
    );
    expect((await signedPost(h.events, SIGNING_SECRET, body, { contentType: 'application/json' })).status).toBe(200);
    await h.fake.until(() => h.fake.callsTo('chat.postMessage').length > before);
    const post = h.fake.callsTo('chat.postMessage')[before];
    expect(post?.body).toMatchObject({ channel: 'C0TEAM', thread_ts: '1700000001.000200' });
    expect(contextTexts({ blocks: post?.body.blocks as SlackBlock[] }).join(' ')).toContain('TV BRICS');
  });

  it('reads & < > as typed: Slack sends them as entities, and /ask R&D never asks for a word "amp"', async () => {
    const ack = (await h.slash('/ask', 'R&amp;D and energy &lt;grids&gt;')).json() as Ack;
    expect(ack.blocks?.[0]).toMatchObject({ type: 'header', text: { text: '“R&D and energy ‹grids›”' } });
    // Escaped once on the way out, as Slack shows "R&D <grids>".
    expect(ack.text).toMatch(/^“R&amp;D and energy &lt;grids&gt;”: /);
    expect(ack.text).not.toContain('No passage mentions');
    const mention = await h.slash('/briefing', 'ask Japarov &amp; <https://example.org/?a=1&amp;b=2|example.org>');
    expect((mention.json() as Ack).blocks?.[0]).toMatchObject({ text: { text: '“Japarov & https://example.org/?a=1&b=2”' } });
  });

  it('a mention reads & and links as typed, without the bot’s own mention', async () => {
    const { mentionRequest } = await import('../../../src/adapters/slack/handlers/mentions.ts');
    expect(mentionRequest('<@UBOT> What about R&amp;D in &lt;Central Asia&gt;?', ['ask', 'source'])).toEqual({
      name: 'ask',
      text: 'What about R&D in <Central Asia>?',
    });
    expect(mentionRequest('<@UBOT> register <https://example.org/x?a=1&amp;b=2|example.org/x?a=1&amp;b=2>', ['register'])).toEqual({
      name: 'register',
      text: 'https://example.org/x?a=1&b=2',
    });
    expect(mentionRequest('<@UBOT> ask about <#C0TEAM|general>', ['ask'])).toEqual({ name: 'ask', text: 'about #general' });
  });

  it('never writes a token or the signing secret to the logs', () => {
    const all = h.logs.join('\n');
    expect(h.logs.length).toBeGreaterThan(10);
    for (const secret of [BOT_TOKEN, APP_TOKEN, SIGNING_SECRET]) expect(all).not.toContain(secret);
  });
});
