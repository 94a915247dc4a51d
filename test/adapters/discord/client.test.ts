import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messageProblems } from '../../../src/adapters/discord/limits.ts';
import { nextId } from '../../fakes/discord.ts';
import { autocomplete, buttonClick, CHANNEL_ID, chatInput, MANAGE_GUILD } from '../../fakes/discord-interactions.ts';
import { bundledLibrary } from '../../helpers/library.ts';
import { buttonId, type Callback, type Harness, startHarness, visibleTexts } from './harness.ts';
import { Gate, testCommands } from './test-commands.ts';

const EPHEMERAL = 64;
const MODERATOR_ROLE = '1400000000000000009';

let h: Harness;
let app: string;
const gate = new Gate();
/** Rate-limit waits the client reported (what /metrics counts). */
const waits: { platform: string; seconds: number }[] = [];

beforeAll(async () => {
  h = await startHarness(await bundledLibrary(), testCommands(gate), {
    deferAfterMs: 200,
    moderatorRoleId: MODERATOR_ROLE,
    services: { observer: { rateLimitWait: (event) => waits.push(event) } },
  });
  app = h.fake.applicationId;
});
afterAll(async () => h?.close());

function expectWithinLimits(data: Callback['data']) {
  expect(
    messageProblems({
      embeds: data.embeds ?? [],
      ...(data.content ? { content: data.content } : {}),
      ...(data.components ? { components: data.components } : {}),
    } as never),
  ).toEqual([]);
}

describe('the Discord client against the loopback gateway and REST fakes', () => {
  it('identifies with the Guilds intent only and reports itself connected (over HTTP: opens no gateway at all)', () => {
    if (h.transport === 'gateway') expect(h.fake.identifies[0]?.intents).toBe(1);
    else expect([h.fake.identifies, h.fake.requests.filter((r) => r.path === '/gateway/bot')]).toEqual([[], []]);
    expect(h.adapter.health()).toEqual({ connected: true, mode: h.transport });
  });

  it('answers /scenario central-asia privately with an embed carrying the cited scenario', async () => {
    const cb = await h.push(chatInput(app, 'scenario', { name: 'central-asia' }));
    expect(cb.type).toBe(4);
    expect(cb.data.flags).toBe(EPHEMERAL);
    expect(cb.data.allowed_mentions).toEqual({ parse: [] });
    const embed = cb.data.embeds?.[0];
    expect(embed?.title).toBe('Second scenario: Central Asia');
    expect(embed?.description).toContain('**Second scenario: Central Asia**');
    expect(embed?.description).toContain('In the second scenario regarding Central Asia');
    expect(embed?.footer?.text).toContain('Ergün Mamedov');
    expect(buttonId(cb, 'Share in channel')).toMatch(/^s[:#]/);
    expectWithinLimits(cb.data);
  });

  it('shows /source 6 as TV BRICS with a masked link to the article', async () => {
    const cb = await h.push(chatInput(app, 'source', { n: 6 }));
    const embed = cb.data.embeds?.[0];
    expect(embed?.title).toContain('Kitay Zapustil Novyy Gruzovoy');
    expect(embed?.description).toContain('Guangxi to Hanoi');
    expect(embed?.fields).toEqual([
      {
        name: '\\[6\\] TV BRICS',
        value:
          '[“Kitay Zapustil Novyy Gruzovoy Zheleznodorozhnyy Marshrut v Strany ASEAN”](https://tvbrics.com/news/kitay-zapustil-novyy-gruzovoy-zheleznodorozhnyy-marshrut-v-strany-asean)\naccessed 2025-05-23',
      },
    ]);
  });

  it('offers asean and central-asia when autocompleting /scenario', async () => {
    const cb = await h.push(autocomplete(app, 'scenario', { name: '' }, 'name'));
    expect(cb.type).toBe(8);
    expect(cb.data.choices?.map((c) => c.value)).toEqual(expect.arrayContaining(['asean', 'central-asia']));
    const typed = await h.push(autocomplete(app, 'scenario', { name: 'centr' }, 'name'));
    expect(typed.data.choices?.map((c) => c.value)).toEqual(['central-asia']);
  });

  it('autocompletes source numbers as integers labelled with the source title', async () => {
    const cb = await h.push(autocomplete(app, 'source', { n: '6' }, 'n'));
    expect(cb.data.choices?.[0]).toEqual({ name: expect.stringContaining('[6] Kitay Zapustil'), value: 6 });
    expect(cb.data.choices?.every((c) => typeof c.value === 'number' && c.name.length <= 100)).toBe(true);
  });

  it('autocompletes a source from its outlet or author typed into n (Discord sends any text while typing)', async () => {
    const outlet = await h.push(autocomplete(app, 'source', { n: 'tv brics' }, 'n'));
    expect(outlet.data.choices?.map((c) => c.value)).toEqual([6, 7]);
    expect(outlet.data.choices?.[0]?.name).toMatch(/^\[6\] TV BRICS — Kitay Zapustil/);
    const author = await h.push(autocomplete(app, 'source', { n: 'Johnson' }, 'n'));
    expect(author.data.choices).toEqual([{ name: expect.stringMatching(/^\[5\] Matthew Johnson — Stabilization/), value: 5 }]);
  });

  it('autocompletes article ids and caps any list at 25 choices', async () => {
    const cb = await h.push(autocomplete(app, 'ask', { question: 'trade', article: 'central' }, 'article'));
    expect(cb.data.choices?.[0]?.value).toBe('central-asia-and-southeast-asia-in-chinas-counter-balancing-strategy');
    expect(cb.data.choices?.length).toBeLessThanOrEqual(25);
  });

  it('re-validates a final value Discord did not check: /source 60 names the valid range', async () => {
    const cb = await h.push(chatInput(app, 'source', { n: 60 }));
    expect(cb.data.flags).toBe(EPHEMERAL);
    expect(cb.data.content).toContain('Source 60 does not exist');
    expect(cb.data.content).toContain('1-9');
  });

  it('posts a shared answer publicly, saying who shared it', async () => {
    const first = await h.push(chatInput(app, 'scenario', { name: 'central-asia' }));
    const click = buttonClick(app, buttonId(first, 'Share in channel'), { actor: { userId: '1300000000000000077', username: 'mehmet' } });
    const cb = await h.push(click);
    expect(cb.type).toBe(4);
    expect(cb.data.flags ?? 0).toBe(0);
    expect(cb.data.content).toBe('<@1300000000000000077> shared /scenario name:central-asia');
    expect(cb.data.allowed_mentions).toEqual({ parse: [] });
    expect(cb.data.embeds?.[0]?.title).toBe('Second scenario: Central Asia');
    const labels = (cb.data.components ?? []).flatMap((r) => r.components.map((b) => b.label));
    expect(labels).not.toContain('Share in channel');
  });

  it('posts an answer once when Share is clicked twice; the second click says who shared it and when', async () => {
    const first = await h.push(chatInput(app, 'ask', { question: 'What did Japarov call for?' }));
    const share = buttonId(first, 'Share in channel');
    const messageId = nextId();
    const actor = { userId: '1300000000000000077', username: 'mehmet' };
    const posted = await h.push(buttonClick(app, share, { actor, messageId }));
    expect(posted.data.flags ?? 0).toBe(0);
    const again = await h.push(buttonClick(app, share, { actor, messageId }));
    expect(again.type).toBe(4);
    expect(again.data.flags).toBe(EPHEMERAL);
    expect(again.data.embeds ?? []).toEqual([]);
    const seconds = Date.parse('2025-06-01T09:00:00Z') / 1000;
    expect(again.data.content).toBe(
      `ℹ️ This answer was already shared in the channel by <@1300000000000000077> <t:${seconds}:R> (<t:${seconds}:f>).`,
    );
    expect(again.data.allowed_mentions).toEqual({ parse: [] });
  });

  it('offers Share in channel only where the command does, as on Slack: not on /help, /articles or a moderator command', async () => {
    const labels = (cb: Callback) => (cb.data.components ?? []).flatMap((r) => r.components.map((b) => b.label));
    expect(labels(await h.push(chatInput(app, 'sources')))).toContain('Share in channel');
    for (const built of [
      chatInput(app, 'help'),
      chatInput(app, 'articles'),
      chatInput(app, 'x-watch', { cron: '0 9 * * 1' }, { subcommand: 'subscribe', actor: { permissions: MANAGE_GUILD } }),
    ]) {
      const cb = await h.push(built);
      expect(cb.data.embeds?.length, JSON.stringify(cb.data)).toBe(1);
      expect(labels(cb)).not.toContain('Share in channel');
    }
  });

  it('refuses a Share click on a moderator command’s answer without running it again in public', async () => {
    const before = h.fake.requests.length;
    const cb = await h.push(buttonClick(app, 's:x-watch|subcommand=subscribe|cron=0 9 * * 1', { actor: { permissions: MANAGE_GUILD } }));
    expect(cb.data.flags).toBe(EPHEMERAL);
    expect(cb.data.embeds ?? []).toEqual([]);
    expect(cb.data.content).toBe('⚠️ Answers of /x-watch cannot be shared in the channel.');
    expect(h.fake.requests.slice(before).filter((r) => r.method !== 'GET')).toEqual(
      h.transport === 'gateway' ? [expect.objectContaining({ path: expect.stringMatching(/\/callback$/) })] : [],
    );
  });

  it('offers More results for /ask and pages on when it is pressed', async () => {
    const first = await h.push(chatInput(app, 'ask', { question: 'China ASEAN trade' }));
    expect(first.data.embeds?.[0]?.description).toMatch(/\*\*(China|ASEAN|trade)/i);
    const more = await h.push(buttonClick(app, buttonId(first, 'More results')));
    expect(more.data.flags).toBe(EPHEMERAL);
    expect(more.data.embeds?.[0]?.description).toMatch(/Results 4-/);
  });

  it('refuses a question over the limit it registered, naming it', async () => {
    const cb = await h.push(chatInput(app, 'ask', { question: 'a'.repeat(1001) }));
    expect(cb.data.flags).toBe(EPHEMERAL);
    expect(visibleTexts(cb).join(' ')).toContain('/ask: question is 1,001 characters; the limit is 1,000 on every platform.');
  });

  it('carries a long /ask question through a cached button', async () => {
    const question = `China ASEAN trade ${'and the free trade agreement '.repeat(4)}`.trim();
    const first = await h.push(chatInput(app, 'ask', { question }));
    const id = buttonId(first, 'Share in channel');
    expect(id).toMatch(/^s#/);
    const shared = await h.push(buttonClick(app, id));
    expect(shared.data.flags ?? 0).toBe(0);
    expect(shared.data.embeds?.[0]?.title).toContain('China ASEAN trade and the free trade agreement');
  });

  it('keeps source buttons self-contained so they work on old messages', async () => {
    const first = await h.push(chatInput(app, 'ask', { question: 'What did Japarov call for?' }));
    expect(buttonId(first, 'Source [9]')).toBe('r:source|n#9|article=central-asia-and-southeast-asia-in-chinas-counter-balancing-strategy');
  });

  it('opens a cited source from its button', async () => {
    const first = await h.push(chatInput(app, 'ask', { question: 'What did Japarov call for?' }));
    const cb = await h.push(buttonClick(app, buttonId(first, 'Source [9]')));
    expect(cb.data.embeds?.[0]?.fields?.[0]?.name).toBe('\\[9\\] EADaily');
  });

  it('tells the user when a cached button has expired', async () => {
    const cb = await h.push(buttonClick(app, 'r#no-such-key'));
    expect(cb.data.flags).toBe(EPHEMERAL);
    expect(cb.data.content).toContain('expired');
  });

  it('answers a command that fails on our side privately, without its error or stack', async () => {
    const cb = await h.push(chatInput(app, 'x-boom'));
    expect(cb.type).toBe(4);
    expect(cb.data.flags).toBe(EPHEMERAL);
    expect(cb.data.content).toBe('⚠️ /x-boom failed on our side; the error was logged. Try again in a moment.');
    expect(JSON.stringify(cb)).not.toMatch(/10\.0\.0\.7|pg\.ts|at Store/);
  });

  it('names the known commands for an unknown one', async () => {
    const cb = await h.push(chatInput(app, 'nope'));
    expect(cb.data.content).toContain('Unknown command "/nope"');
    expect(cb.data.flags).toBe(EPHEMERAL);
  });
});

describe('long and slow answers', () => {
  it('splits a long answer into followups within every limit, waiting out a 429', async () => {
    const built = chatInput(app, 'x-long');
    const followups = `/webhooks/${app}/${built.token}`;
    h.fake.respondWith((r) => r.method === 'POST' && r.path === followups, {
      status: 429,
      body: { message: 'You are being rate limited.', retry_after: 0.02, global: false },
      headers: { 'retry-after': '0.02', 'x-ratelimit-scope': 'user' },
    });
    const cb = await h.push(built);
    expectWithinLimits(cb.data);
    // The fake answered the first followup 429; the client waited and sent it again.
    await h.fake.waitFor((r) => r.path === followups && h.webhookCalls(built.token).length >= 3);
    expect(waits.find((w) => w.platform === 'discord' && w.seconds > 0)).toBeDefined();
    const calls = h.webhookCalls(built.token);
    const titles = [cb.data.embeds?.[0]?.title, ...calls.slice(1).map((r) => (r.body as Callback['data']).embeds?.[0]?.title)];
    expect(calls[0]?.body).toEqual(calls[1]?.body);
    for (const call of calls) {
      expect((call.body as Callback['data']).flags).toBe(EPHEMERAL);
      expectWithinLimits(call.body as Callback['data']);
    }
    expect(titles[0]).toBe('Long answer');
    expect(titles.at(-1)).toMatch(/^Long answer \(\d+\/\d+\)$/);
  });

  it('defers a slow answer, then edits it in', async () => {
    const built = chatInput(app, 'x-slow');
    const cb = await h.push(built);
    expect(cb).toEqual({ type: 5, data: { flags: EPHEMERAL } });
    gate.open();
    const edit = await h.fake.waitFor((r) => r.method === 'PATCH' && r.path === `/webhooks/${app}/${built.token}/messages/@original`);
    expect((edit.body as Callback['data']).embeds?.[0]?.title).toBe('Finally');
  });

  it('posts a reply the command makes public without the ephemeral flag', async () => {
    const cb = await h.push(chatInput(app, 'x-announce'));
    expect(cb.data.flags ?? 0).toBe(0);
    expect(cb.data.embeds?.[0]?.title).toBe('Announcement');
  });

  it('posts a slow public reply as a followup after a private deferral, and says so privately', async () => {
    const built = chatInput(app, 'x-slow', { visibility: 'public' });
    expect((await h.push(built)).type).toBe(5);
    gate.open();
    const followup = await h.fake.waitFor((r) => r.method === 'POST' && r.path === `/webhooks/${app}/${built.token}`);
    expect((followup.body as Callback['data']).flags ?? 0).toBe(0);
    expect((followup.body as Callback['data']).embeds?.[0]?.title).toBe('Finally');
    const edit = await h.fake.waitFor((r) => r.method === 'PATCH' && r.path === `/webhooks/${app}/${built.token}/messages/@original`);
    expect((edit.body as Callback['data']).content).toBe('Posted in the channel.');
  });

  it('hands an uploaded attachment to the command through ctx.download', async () => {
    h.fake.files.set('notes.txt', { body: 'Gulf ports notes', contentType: 'text/plain' });
    const cb = await h.push(
      chatInput(app, 'x-upload', {
        file: { filename: 'notes.txt', url: `${h.fake.baseUrl}/files/notes.txt`, size: 16, contentType: 'text/plain' },
      }),
    );
    expect(cb.data.embeds?.[0]).toMatchObject({ title: 'Read notes.txt', description: 'Gulf ports notes' });
  });
});

describe('moderator-only commands, re-checked on the server', () => {
  it('refuses a moderator command to a member without Manage Server', async () => {
    const cb = await h.push(chatInput(app, 'audit'));
    expect(cb.data.flags).toBe(EPHEMERAL);
    expect(cb.data.content).toContain('/audit is for moderators only');
  });

  it('refuses a moderator subcommand but runs an everyone subcommand of the same command', async () => {
    const refused = await h.push(chatInput(app, 'x-watch', { cron: '0 9 * * 1' }, { subcommand: 'subscribe' }));
    expect(refused.data.content).toContain('/x-watch subscribe is for moderators only');
    const allowed = await h.push(chatInput(app, 'x-watch', {}, { subcommand: 'list' }));
    expect(allowed.data.embeds?.[0]?.title).toBe('No digests yet');
  });

  it('lets a member with Manage Server run it', async () => {
    const cb = await h.push(
      chatInput(app, 'x-watch', { cron: '0 9 * * 1' }, { subcommand: 'subscribe', actor: { permissions: MANAGE_GUILD } }),
    );
    expect(cb.data.embeds?.[0]?.title).toBe(`Subscribed ${CHANNEL_ID} to 0 9 \\* \\* 1`);
  });

  it('lets a member holding DISCORD_MODERATOR_ROLE_ID run it', async () => {
    const cb = await h.push(chatInput(app, 'x-mod', {}, { actor: { roles: [MODERATOR_ROLE] } }));
    expect(cb.data.embeds?.[0]?.title).toBe('Audit log');
  });

  it('never treats a direct message as coming from a moderator', async () => {
    const cb = await h.push(chatInput(app, 'x-mod', {}, { actor: { dm: true, permissions: MANAGE_GUILD } }));
    expect(cb.data.content).toContain('for moderators only');
  });
});

describe('what the fake received overall', () => {
  it('never sent a message that could ping anyone', () => {
    const bodies = [...h.callbacks(), ...h.fake.requests.filter((r) => r.method !== 'GET').map((r) => r.body)] as Record<string, unknown>[];
    expect(bodies.length).toBeGreaterThan(30);
    for (const body of bodies) {
      const data = (body.data ?? body) as Record<string, unknown>;
      if (data.embeds || data.content) expect(data.allowed_mentions).toEqual({ parse: [] });
      for (const t of visibleTexts(body)) expect(t).not.toMatch(/@everyone|@here/);
    }
  });
});
