import { pino } from 'pino';
import { type DiscordAdapter, startDiscord } from '../../../src/adapters/discord/start.ts';
import type { AnyCommand } from '../../../src/core/command.ts';
import type { Library } from '../../../src/core/library.ts';
import { type FakeDiscord, type FakeRequest, startFakeDiscord } from '../../fakes/discord.ts';

/** A real discord.js client logged in to the loopback fake, answering with `commands`. */
export interface Harness {
  fake: FakeDiscord;
  adapter: DiscordAdapter;
  /** Pushes an interaction and resolves with the body of its callback. */
  push(built: { token: string; payload: Record<string, unknown> }): Promise<Callback>;
  /** Webhook calls (edits of the original, followups) made for an interaction token, so far. */
  webhookCalls(token: string): FakeRequest[];
  close(): Promise<void>;
}

export interface Callback {
  type: number;
  data: {
    content?: string;
    flags?: number;
    embeds?: Embed[];
    components?: { type: 1; components: { type: 2; label: string; custom_id: string; style: number }[] }[];
    allowed_mentions?: { parse: string[] };
    choices?: { name: string; value: string | number }[];
  };
}

export interface Embed {
  title?: string;
  description?: string;
  fields?: { name: string; value: string }[];
  footer?: { text: string };
}

export async function startHarness(
  library: Library,
  commands: readonly AnyCommand[],
  options: { deferAfterMs?: number; moderatorRoleId?: string } = {},
): Promise<Harness> {
  const fake = await startFakeDiscord();
  const adapter = await startDiscord({
    config: {
      token: 'fake-token',
      applicationId: fake.applicationId,
      apiUrl: fake.apiUrl,
      ...(options.moderatorRoleId ? { moderatorRoleId: options.moderatorRoleId } : {}),
    },
    library,
    commands,
    logger: pino({ level: process.env.TEST_LOG ?? 'silent' }, pino.destination(2)),
    now: () => new Date('2025-06-01T09:00:00Z'),
    deferAfterMs: options.deferAfterMs ?? 1_500,
    rest: { retries: 0, offset: 0 },
  });
  return {
    fake,
    adapter,
    async push(built) {
      const callback = fake.waitFor((r) => r.path === `/interactions/${built.payload.id}/${built.token}/callback`);
      fake.pushInteraction(built.payload);
      return (await callback).body as Callback;
    },
    webhookCalls: (token) => fake.requests.filter((r) => r.path.startsWith(`/webhooks/${fake.applicationId}/${token}`)),
    async close() {
      await adapter.stop();
      await fake.close();
    },
  };
}

/** Every text a user would see in a callback or webhook body. */
export function visibleTexts(body: unknown): string[] {
  const data = ((body as { data?: unknown }).data ?? body) as Callback['data'];
  const out = [data.content ?? ''];
  for (const e of data.embeds ?? []) {
    out.push(e.title ?? '', e.description ?? '', e.footer?.text ?? '');
    for (const f of e.fields ?? []) out.push(f.name, f.value);
  }
  for (const row of data.components ?? []) for (const b of row.components) out.push(b.label);
  return out.filter(Boolean);
}

/** The custom_id of the button labelled `label`. */
export function buttonId(callback: { data: Callback['data'] }, label: string | RegExp): string {
  for (const row of callback.data.components ?? []) {
    for (const b of row.components) if (typeof label === 'string' ? b.label === label : label.test(b.label)) return b.custom_id;
  }
  throw new Error(`no button ${String(label)} in ${JSON.stringify(callback.data.components)}`);
}
