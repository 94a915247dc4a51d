import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commands } from '../../commands/index.ts';
import { type DiscordAdapter, startDiscord } from '../../src/adapters/discord/start.ts';
import type { Library } from '../../src/core/library.ts';
import type { Store } from '../../src/store/types.ts';
import { buttonId, type Callback, visibleTexts } from '../adapters/discord/harness.ts';
import { type FakeDiscord, startFakeDiscord } from '../fakes/discord.ts';
import { buttonClick, chatInput, MANAGE_GUILD } from '../fakes/discord-interactions.ts';
import { registryOn, SECOND_ID, SECOND_TEXT, tempDataDir } from '../register/setup.ts';

let fake: FakeDiscord;
let adapter: DiscordAdapter;
let data: ReturnType<typeof tempDataDir>;
let library: Library;
let store: Store;
let app: string;
const moderator = { permissions: MANAGE_GUILD, userId: '1300000000000000077', username: 'moderator' };

async function push(built: { token: string; payload: Record<string, unknown> }): Promise<{ type: number; data: Callback['data'] }> {
  const callback = fake.waitFor((r) => r.path === `/interactions/${built.payload.id}/${built.token}/callback`);
  fake.pushInteraction(built.payload);
  const body = (await callback).body as { type: number; data: Callback['data'] };
  if (body.type !== 5) return body;
  const edit = await fake.waitFor((r) => r.method === 'PATCH' && r.path === `/webhooks/${app}/${built.token}/messages/@original`);
  return { type: 4, data: edit.body as Callback['data'] };
}

function attachment(name: string) {
  return { filename: name, url: `${fake.baseUrl}/files/${name}`, size: Buffer.byteLength(SECOND_TEXT), contentType: 'text/markdown' };
}

beforeAll(async () => {
  data = tempDataDir();
  const wired = registryOn(data.dir);
  ({ library, store } = wired);
  fake = await startFakeDiscord();
  app = fake.applicationId;
  fake.files.set('second-briefing.md', { body: SECOND_TEXT, contentType: 'text/markdown' });
  adapter = await startDiscord({
    config: { token: 'fake-token', applicationId: app, apiUrl: fake.apiUrl },
    library,
    commands,
    services: { registry: wired.registry },
    logger: pino({ level: 'silent' }),
    deferAfterMs: 1_500,
    maxDownloadBytes: 1_048_576,
    rest: { retries: 0, offset: 0 },
  });
});
afterAll(async () => {
  await adapter?.stop();
  await fake?.close();
  await store?.close();
  data?.remove();
});

describe('registering a briefing on Discord', () => {
  it('refuses a member without Manage Server and stores nothing', async () => {
    const cb = await push(chatInput(app, 'register', { file: attachment('second-briefing.md') }));
    expect(visibleTexts(cb).join('\n')).toContain('/register is for moderators only');
    expect(await store.audit.list()).toEqual([]);
    expect(fake.requests.some((r) => r.path === '/files/second-briefing.md')).toBe(false);
  });

  it('previews an attachment with Publish and Cancel, publishes it, and /articles and /ask find it', async () => {
    const preview = await push(chatInput(app, 'register', { file: attachment('second-briefing.md') }, { actor: moderator }));
    const texts = visibleTexts(preview).join('\n');
    expect(texts).toContain('Preview: The South Caucasus Energy Corridor Between the Caspian and Europe');
    expect(texts).toContain('8 passages, 5 sources, 2 scenarios');
    expect(fake.requests.some((r) => r.path === '/files/second-briefing.md')).toBe(true);
    buttonId(preview, 'Cancel');

    const published = await push(buttonClick(app, buttonId(preview, 'Publish'), { actor: moderator }));
    expect(visibleTexts(published).join('\n')).toContain('“south-caucasus-energy-corridor” revision 1 is live');
    expect((await store.articles.latest(SECOND_ID))?.registeredBy).toBe(`discord:${moderator.userId}`);

    const articles = await push(chatInput(app, 'articles'));
    expect(visibleTexts(articles).join('\n')).toContain(SECOND_ID);
    const answer = await push(chatInput(app, 'ask', { question: 'What does the Black Sea submarine cable link?' }));
    const answerText = visibleTexts(answer).join('\n');
    expect(answerText).toContain('submarine cable');
    expect(answerText).toContain('World Bank');
  });

  it('says why an attachment could not be downloaded, naming the file and what to do, and stores nothing', async () => {
    const before = (await store.audit.list()).length;
    const cb = await push(
      chatInput(
        app,
        'register',
        { file: { ...attachment('second-briefing.md'), filename: 'gone.md', url: `${fake.baseUrl}/files/gone.md` } },
        { actor: moderator },
      ),
    );
    expect(cb.data.flags).toBe(64);
    expect(cb.data.content).toBe(
      "⚠️ gone.md could not be downloaded \\(Discord's file server answered HTTP 404\\): attach it again in a moment",
    );
    expect((await store.audit.list()).length).toBe(before);
  });

  it('cancels a preview with its Cancel button: nothing is stored, and its Publish button then publishes nothing', async () => {
    const before = (await store.audit.list()).length;
    fake.files.set('third.md', {
      body: SECOND_TEXT.replace('The South Caucasus Energy Corridor', 'A Third Corridor'),
      contentType: 'text/markdown',
    });
    const preview = await push(
      chatInput(app, 'register', { file: { ...attachment('third.md'), filename: 'third.md' } }, { actor: moderator }),
    );
    expect(visibleTexts(preview).join('\n')).toContain('Preview: A Third Corridor');
    const cancelled = await push(buttonClick(app, buttonId(preview, 'Cancel'), { actor: moderator }));
    expect(cancelled.data.embeds?.[0]?.title).toBe('Registration cancelled');
    const late = await push(buttonClick(app, buttonId(preview, 'Publish'), { actor: moderator }));
    expect(visibleTexts(late).join('\n')).toMatch(
      /This registration of “south-caucasus-energy-corridor” was cancelled by moderator \\\(discord\\\) at \d{4}-\d\d-\d\d \d\d:\d\d UTC: nothing was stored\. Run \/register again/,
    );
    expect((await store.audit.list()).length).toBe(before);
  });
});
