import { DefaultRestOptions, type RESTOptions } from 'discord.js';

/**
 * Sends the interaction callback of an interaction that arrived over HTTP as the HTTP response
 * instead of a REST call, so the gateway's interaction handler answers both unchanged.
 *
 * discord.js answers an interaction with `POST /interactions/{id}/{token}/callback` through the
 * client's REST; @discordjs/rest performs every request with its `makeRequest` option. The
 * router is that option: for an interaction it is expecting (one that came in over HTTP and is
 * still waiting for its response), the callback body becomes the HTTP response and discord.js
 * is told "204 No Content", exactly what Discord answers. Everything else (webhook edits and
 * followups, channel posts, callbacks of gateway interactions) goes to the network as before.
 */

/** What the HTTP endpoint answers Discord: a status and a JSON body. */
export interface CallbackAnswer {
  status: number;
  body: string;
}

type MakeRequest = RESTOptions['makeRequest'];

interface Pending {
  token: string;
  resolve: (answer: CallbackAnswer) => void;
  /** The handler received the interaction (discord.js built and emitted it). */
  delivered: boolean;
  /** Answered by the router's own fallback: a late callback becomes an edit of the original. */
  fallback?: { applicationId: string };
}

const CALLBACK_PATH = /\/interactions\/(\d+)\/([^/]+)\/callback$/;
const NO_CONTENT = () => new Response(null, { status: 204 });
const EPHEMERAL = 64;

export class CallbackRouter {
  readonly #pending = new Map<string, Pending>();
  readonly #network: MakeRequest;

  /** `network` performs requests that are not routed (default: @discordjs/rest's own). */
  constructor(network: MakeRequest = DefaultRestOptions.makeRequest) {
    this.#network = network;
  }

  /** For the client's `rest.makeRequest`. */
  readonly makeRequest: MakeRequest = async (url, init) => {
    const match = CALLBACK_PATH.exec(new URL(url).pathname);
    const pending = match ? this.#pending.get(match[1] as string) : undefined;
    if (!match || !pending || pending.token !== decodeURIComponent(match[2] as string)) return this.#network(url, init);
    if (pending.fallback) return this.#late(url, init, pending.fallback.applicationId, match[2] as string);
    this.#pending.delete(match[1] as string);
    // Interaction answers are JSON (the bot attaches no files); anything else would need multipart.
    if (typeof init.body !== 'string') throw new TypeError('an interaction answered over HTTP must have a JSON body');
    pending.resolve({ status: 200, body: init.body });
    return NO_CONTENT();
  };

  /**
   * Waits for the callback of interaction `id`. Call before handing the interaction to
   * discord.js; resolves with what to answer the HTTP request.
   */
  expect(id: string, token: string): Promise<CallbackAnswer> {
    return new Promise((resolve) => {
      this.#pending.set(id, { token, resolve, delivered: false });
    });
  }

  /** Marks interaction `id` as received by the handler (from its `interactionCreate` listener). */
  delivered(id: string): void {
    const pending = this.#pending.get(id);
    if (pending) pending.delivered = true;
  }

  /** Whether the handler received interaction `id`. */
  wasDelivered(id: string): boolean {
    return this.#pending.get(id)?.delivered ?? false;
  }

  /** Answers interaction `id` now with `answer` and forgets it (the handler finished without answering, or it failed). */
  finish(id: string, answer: CallbackAnswer): void {
    const pending = this.#pending.get(id);
    if (!pending) return;
    this.#pending.delete(id);
    if (!pending.fallback) pending.resolve(answer);
  }

  /**
   * Answers interaction `id` now with `answer` (a deferral) because the handler is late; the
   * callback it sends later edits the original message through the webhook instead.
   */
  fallBack(id: string, answer: CallbackAnswer, applicationId: string): void {
    const pending = this.#pending.get(id);
    if (!pending || pending.fallback) return;
    pending.fallback = { applicationId };
    pending.resolve(answer);
  }

  /**
   * The handler is done with interaction `id`. Had it sent no answer (a button that is not the
   * bot's), the request is answered 400, so Discord tells the user it failed, as it does when a
   * gateway interaction goes unanswered.
   */
  settled(id: string): void {
    this.finish(id, { status: 400, body: JSON.stringify({ error: 'the bot did not answer this interaction' }) });
  }

  /** How many interactions wait for their answer. */
  get size(): number {
    return this.#pending.size;
  }

  /**
   * A callback after the fallback deferral (private): a private message becomes the deferred
   * message's content; a public one is posted as a followup, and the deferred message says so.
   */
  async #late(url: string, init: Parameters<MakeRequest>[1], applicationId: string, token: string) {
    const body = typeof init.body === 'string' ? (JSON.parse(init.body) as { type?: number; data?: Record<string, unknown> }) : {};
    if (body.type !== 4 || !body.data) return NO_CONTENT();
    const { flags, ...data } = body.data;
    const webhook = (path: string) => {
      const target = new URL(url);
      target.pathname = target.pathname.replace(CALLBACK_PATH, `/webhooks/${applicationId}/${token}${path}`);
      target.search = '';
      return target.toString();
    };
    const send = (path: string, method: string, payload: unknown) =>
      this.#network(webhook(path), { ...init, method, body: JSON.stringify(payload) });
    if ((Number(flags ?? 0) & EPHEMERAL) !== 0) return send('/messages/@original', 'PATCH', data);
    const posted = await send('', 'POST', { ...data, flags });
    if (posted.ok) await send('/messages/@original', 'PATCH', { content: 'Posted in the channel.', embeds: [], components: [] });
    return posted;
  }
}
