import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { SlackBlock } from '../../../src/adapters/slack/block-types.ts';
import { type AnyCommand, defineCommand } from '../../../src/core/command.ts';
import { type Excerpt, okReply, type Reply } from '../../../src/core/reply.ts';
import { bundledLibrary } from '../../helpers/library.ts';
import { type Harness, type HarnessOptions, startHarness, textsOf } from './harness.ts';

function command(
  name: string,
  run: (ctx: Parameters<AnyCommand['run']>[1]) => Reply | Promise<Reply>,
  permission: 'everyone' | 'moderator' = 'everyone',
): AnyCommand {
  return defineCommand({
    name,
    description: `Test command ${name}`,
    usage: '',
    examples: [],
    options: [],
    schema: z.object({}),
    permission,
    run: (_input, ctx) => run(ctx),
  }) as AnyCommand;
}

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function start(options: Partial<HarnessOptions>): Promise<Harness> {
  h = await startHarness({ library: await bundledLibrary(), ...options });
  return h;
}

describe('command names', () => {
  it('uses the configured prefix for the individual commands and keeps /briefing', async () => {
    const harness = await start({ prefix: 'bb-' });
    const prefixed = (await harness.slash('/bb-source', '6')).json();
    expect((prefixed.blocks as SlackBlock[])[0]).toMatchObject({ type: 'header', text: { text: expect.stringContaining('[6]') } });
    const umbrella = (await harness.slash('/briefing', 'source 6')).json();
    expect(umbrella.blocks).toEqual(prefixed.blocks);
    const unknown = (await harness.slash('/bb-nope', '')).json();
    expect(textsOf(unknown).join(' ')).toContain(
      'Unknown command "/bb-nope". Known commands: /bb-ask, /bb-brief, /bb-scenario, /bb-source, /bb-sources, /bb-articles, /bb-digest, /bb-register, /bb-unregister, /bb-audit, /bb-help. Try /bb-help.',
    );
  });
});

describe('acknowledging within Slack’s three seconds', () => {
  it('acknowledges at once when the answer is slow, then delivers it through respond()', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const slow = command('slow', async () => {
      await gate;
      return okReply('slow', 'Finally', { text: 'Done.' });
    });
    const harness = await start({ commands: [slow], ackBudgetMs: 0 });
    const res = await harness.slash('/slow', '', { id: 'slow' });
    expect(res.json()).toEqual({ response_type: 'ephemeral', text: 'Working on /slow…' });
    expect(harness.fake.responsesTo('slow')).toEqual([]);
    release();
    await harness.fake.until(() => harness.fake.responsesTo('slow').length > 0);
    const answer = harness.fake.responsesTo('slow')[0]?.body;
    expect(answer?.response_type).toBe('ephemeral');
    expect(((answer?.blocks ?? []) as SlackBlock[])[0]).toMatchObject({ type: 'header', text: { text: 'Finally' } });
  });

  it('acknowledges at once, empty, while another request is being answered, and answers through respond()', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let started: () => void = () => {};
    const running = new Promise<void>((resolve) => {
      started = resolve;
    });
    const held = command('held', async () => {
      started();
      await gate;
      return okReply('held', 'Held answer');
    });
    const quick = command('quick', () => okReply('quick', 'Quick answer'));
    const harness = await start({ commands: [held, quick], ackBudgetMs: 10_000 });
    const first = harness.slash('/held', '', { id: 'held' });
    await running;
    const second = await harness.slash('/quick', '', { id: 'quick' });
    expect(second.status).toBe(200);
    expect(second.text).toBe('');
    await harness.fake.until(() => harness.fake.responsesTo('quick').length > 0);
    expect(((harness.fake.responsesTo('quick')[0]?.body.blocks ?? []) as SlackBlock[])[0]).toMatchObject({
      text: { text: 'Quick answer' },
    });
    release();
    const ack = (await first).json();
    expect((ack.blocks as SlackBlock[])[0]).toMatchObject({ type: 'header', text: { text: 'Held answer' } });
  });

  it('answers "busy" at once when the queue is full, instead of letting work pile up', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let started: () => void = () => {};
    const running = new Promise<void>((resolve) => {
      started = resolve;
    });
    const held = command('held', async () => {
      started();
      await gate;
      return okReply('held', 'Held answer');
    });
    const harness = await start({ commands: [held], ackBudgetMs: 10_000, queue: { concurrency: 1, maxWaitMs: 0 } });
    const first = harness.slash('/held', '');
    await running;
    const busy = (await harness.slash('/held', '')).json();
    expect(textsOf(busy).join(' ')).toMatch(/The bot is busy right now \(about \d+ s of answers queued\); run \/held again in a minute\./);
    release();
    expect((await first).status).toBe(200);
  });

  it('sends a long answer as the acknowledgement plus follow-ups, each within the limits', async () => {
    const passage = 'China and ASEAN deepened trade and logistics cooperation along the new railway corridor. '.repeat(30);
    const excerpts: Excerpt[] = Array.from({ length: 12 }, (_, i) => ({
      articleId: 'a',
      passageId: `a#p${i + 1}`,
      text: passage,
      passageText: passage,
      citations: [(i % 3) + 1],
      highlights: [[0, 5]],
    }));
    const sources = [1, 2, 3].map((n) => ({ articleId: 'a', n, title: `Source ${n}`, outlet: 'Outlet', url: `https://example.org/${n}` }));
    const long = command('long', () =>
      okReply('long', 'A long answer', { excerpts, sources, actions: [{ type: 'share', label: 'Share in channel' }] }),
    );
    const harness = await start({ commands: [long] });
    const ack = (await harness.slash('/long', '', { id: 'long' })).json();
    await harness.fake.until(() => harness.fake.responsesTo('long').length >= 2);
    const messages = [ack, ...harness.fake.responsesTo('long').map((r) => r.body)];
    for (const m of messages) {
      const blocks = m.blocks as SlackBlock[];
      expect(blocks.length).toBeLessThanOrEqual(50);
      expect(JSON.stringify(blocks).length).toBeLessThanOrEqual(12_000);
      for (const b of blocks) if (b.type === 'section') expect(b.text.text.length).toBeLessThanOrEqual(3000);
      // Every excerpt in a message has its footnote beside it.
      for (const b of blocks.filter((x) => x.block_id?.startsWith('excerpt-'))) {
        const i = Number(b.block_id?.split('-')[1]);
        expect(blocks.some((x) => x.block_id === `source-a-${(i % 3) + 1}`)).toBe(true);
      }
    }
    const last = messages.at(-1)?.blocks as SlackBlock[];
    expect(last.some((b) => b.type === 'actions')).toBe(true);
  });

  it('posts a public reply in the channel', async () => {
    const loud = command('loud', () => ({ ...okReply('loud', 'For everyone'), visibility: 'public' as const }));
    const harness = await start({ commands: [loud] });
    expect((await harness.slash('/loud', '')).json()).toMatchObject({ response_type: 'in_channel' });
  });
});

describe('moderators', () => {
  const secret = command('secret', () => okReply('secret', 'Moderators only'), 'moderator');

  it('lets listed users and members of the moderator group run moderator commands', async () => {
    const harness = await start({ commands: [secret], moderators: ['U0MOD'], moderatorGroup: 'S0MODS' });
    harness.fake.usergroups.set('S0MODS', ['U0GROUP']);
    const listed = (await harness.slash('/secret', '', { userId: 'U0MOD' })).json();
    const member = (await harness.slash('/secret', '', { userId: 'U0GROUP' })).json();
    const other = (await harness.slash('/secret', '', { userId: 'U0ALICE' })).json();
    expect((listed.blocks as SlackBlock[])[0]).toMatchObject({ type: 'header', text: { text: 'Moderators only' } });
    expect((member.blocks as SlackBlock[])[0]).toMatchObject({ type: 'header', text: { text: 'Moderators only' } });
    expect(textsOf(other).join(' ')).toContain('/secret is for moderators only');
    expect(harness.fake.callsTo('usergroups.users.list').map((c) => c.body.usergroup)).toEqual(['S0MODS']);
  });
});
