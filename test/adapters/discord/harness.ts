import { pino } from 'pino';
import { INTERACTIONS_PATH } from '../../../src/adapters/discord/http-endpoint.ts';
import { type DiscordAdapter, startDiscord } from '../../../src/adapters/discord/start.ts';
import type { AnyCommand, Services } from '../../../src/core/command.ts';
import type { Library } from '../../../src/core/library.ts';
import { HttpServer } from '../../../src/http/server.ts';
import type { KeyStore } from '../../../src/store/types.ts';
import { type FakeDiscord, type FakeRequest, startFakeDiscord } from '../../fakes/discord.ts';
import { type EndpointAnswer, InteractionSigner, postInteraction } from '../../fakes/discord-http.ts';

/**
 * A real discord.js client answering with `commands` against the loopback fake. Interactions
 * arrive over the gateway (pushed by the fake) or over HTTP (signed POSTs to the bot's own HTTP
 * server, no gateway connection); either way `push` resolves with the interaction callback.
 */
export type Transport = 'gateway' | 'http';

let suiteTransport: Transport = 'gateway';
/**
 * Sets the transport harnesses use when none is given. A `*-http.test.ts` file calls it and then
 * imports a gateway suite, which runs again, unchanged, over HTTP interactions (each test file
 * runs in its own module graph, so the setting stays in that file).
 */
export function useTransport(transport: Transport): void {
  suiteTransport = transport;
}

export interface Harness {
  transport: Transport;
  fake: FakeDiscord;
  adapter: DiscordAdapter;
  /** Over HTTP: the bot's server, the endpoint's URL and the signing key pair standing for Discord's. */
  http?: { server: HttpServer; url: string; signer: InteractionSigner };
  /** Sends an interaction and resolves with the body of its callback (HTTP: the response body). */
  push(built: { token: string; payload: Record<string, unknown> }): Promise<Callback>;
  /** Webhook calls (edits of the original, followups) made for an interaction token, so far. */
  webhookCalls(token: string): FakeRequest[];
  /** Every callback body so far, whichever way it went. */
  callbacks(): unknown[];
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

export interface HarnessOptions {
  transport?: Transport;
  deferAfterMs?: number;
  moderatorRoleId?: string;
  /** Button state (default: memory). */
  keys?: KeyStore;
  /** An existing fake (replicas share one). */
  fake?: FakeDiscord;
  /** An existing key pair (replicas share the application's). */
  signer?: InteractionSigner;
  /** Both the gateway and HTTP (transport 'http' only). */
  gatewayToo?: boolean;
  /** Epoch ms for the signature time window. */
  clock?: () => number;
  /** When the HTTP endpoint defers for a silent handler. */
  interactionFallbackMs?: number;
  services?: Services;
}

export const logger = () => pino({ level: process.env.TEST_LOG ?? 'silent' }, pino.destination(2));

export async function startHarness(library: Library, commands: readonly AnyCommand[], options: HarnessOptions = {}): Promise<Harness> {
  const transport = options.transport ?? suiteTransport;
  const fake = options.fake ?? (await startFakeDiscord());
  const signer = transport === 'http' ? (options.signer ?? new InteractionSigner()) : undefined;
  const server = signer ? new HttpServer() : undefined;
  const adapter = await startDiscord({
    config: {
      token: 'fake-token',
      applicationId: fake.applicationId,
      apiUrl: fake.apiUrl,
      ...(options.moderatorRoleId ? { moderatorRoleId: options.moderatorRoleId } : {}),
      ...(signer ? { publicKey: signer.publicKeyHex, gateway: options.gatewayToo ?? false } : {}),
    },
    library,
    commands,
    logger: logger(),
    now: () => new Date('2025-06-01T09:00:00Z'),
    deferAfterMs: options.deferAfterMs ?? 1_500,
    rest: { retries: 0, offset: 0 },
    ...(server ? { http: server } : {}),
    ...(options.keys ? { keys: options.keys } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.interactionFallbackMs !== undefined ? { interactionFallbackMs: options.interactionFallbackMs } : {}),
    ...(options.services ? { services: options.services } : {}),
  });
  const http =
    server && signer ? { server, signer, url: `http://127.0.0.1:${await server.listen(0, '127.0.0.1')}${INTERACTIONS_PATH}` } : undefined;
  const answers: unknown[] = [];
  return {
    transport,
    fake,
    adapter,
    ...(http ? { http } : {}),
    async push(built) {
      if (http) {
        const answer: EndpointAnswer = await postInteraction(http.url, built.payload, http.signer);
        if (answer.status !== 200) throw new Error(`the endpoint answered ${answer.status}: ${JSON.stringify(answer.body)}`);
        answers.push(answer.body);
        return answer.body as Callback;
      }
      return pushOverGateway(fake, built);
    },
    webhookCalls: (token) => fake.requests.filter((r) => r.path.startsWith(`/webhooks/${fake.applicationId}/${token}`)),
    callbacks: () => [...answers, ...fake.requests.filter((r) => r.path.endsWith('/callback')).map((r) => r.body)],
    async close() {
      await adapter.stop();
      await server?.close();
      if (!options.fake) await fake.close();
    },
  };
}

/** Pushes an interaction through the fake's gateway and resolves with its callback body. */
export async function pushOverGateway(fake: FakeDiscord, built: { token: string; payload: Record<string, unknown> }): Promise<Callback> {
  const callback = fake.waitFor((r) => r.path === `/interactions/${built.payload.id}/${built.token}/callback`);
  fake.pushInteraction(built.payload);
  return (await callback).body as Callback;
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
