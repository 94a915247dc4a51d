/**
 * The platform-neutral answer every command returns. Adapters render it three ways
 * (Block Kit, Discord embeds, terminal text); the JSON form is the stable `exec --json`
 * interface documented in the README.
 */

/** A cited excerpt of one passage. */
export interface Excerpt {
  articleId: string;
  passageId: string;
  /** The excerpt shown: the best sentence or two, or the whole passage. Plain text. */
  text: string;
  /** The whole paragraph the excerpt comes from. Plain text. */
  passageText: string;
  /** Footnote numbers the excerpt (or its passage) cites. */
  citations: number[];
  /** Character ranges `[start, end)` of `text` to emphasise (matched query terms). */
  highlights: [number, number][];
  /** Optional heading for the excerpt, e.g. "Second scenario: Central Asia". */
  label?: string;
}

/** A numbered source resolved for display. */
export interface SourceRef {
  articleId: string;
  n: number;
  title: string;
  outlet: string;
  url?: string;
  /** Access date YYYY-MM-DD. */
  accessed?: string;
  author?: string;
}

/** A plain list entry (key points, article list, help lines). */
export interface ReplyItem {
  label?: string;
  text: string;
  /**
   * Which part is a command line to type (a /help usage line or example): rendered exactly as
   * written, as code where the platform has it, so it can be copied (Slack's look-alikes for
   * `*` and `_` would break `30 8 * * 1-5` or `America/New_York`). Only for the bot's own words.
   */
  literal?: 'label' | 'text';
}

/** A structured command invocation that a button can trigger. */
export interface Invocation {
  command: string;
  options: Record<string, string | number | boolean>;
}

export type ReplyAction = { type: 'share'; label: string } | { type: 'run'; label: string; invoke: Invocation };

export interface OkReply {
  ok: true;
  command: string;
  title: string;
  /** Optional lead paragraph. Plain text. */
  text?: string;
  excerpts: Excerpt[];
  sources: SourceRef[];
  items?: ReplyItem[];
  /** Small print under the answer (briefing title and author, suggestions). */
  footer?: string;
  actions?: ReplyAction[];
  /** Private (ephemeral) unless a command says otherwise. */
  visibility: 'private' | 'public';
}

export interface ErrorReply {
  ok: false;
  command: string;
  error: { code: string; message: string };
}

export type Reply = OkReply | ErrorReply;

export function okReply(command: string, title: string, rest: Partial<Omit<OkReply, 'ok' | 'command' | 'title'>> = {}): OkReply {
  return { ok: true, command, title, excerpts: [], sources: [], visibility: 'private', ...rest };
}

export function errorReply(command: string, code: string, message: string): ErrorReply {
  return { ok: false, command, error: { code, message } };
}

/** The JSON interface form of a reply (`exec --json`): everything but the buttons. */
export function toJson(reply: Reply): Omit<OkReply, 'actions'> | ErrorReply {
  if (!reply.ok) return { ok: false, command: reply.command, error: reply.error };
  const { actions: _actions, ...rest } = reply;
  return rest;
}

/**
 * Highlight ranges clamped to `[0, length)`, empty ones dropped, sorted and merged where they
 * overlap or touch.
 * @example mergeRanges([[4, 9], [0, 5], [20, 30]], 25) // [[0, 9], [20, 25]]
 */
export function mergeRanges(ranges: readonly (readonly [number, number])[], length = Number.POSITIVE_INFINITY): [number, number][] {
  const clipped = ranges
    .map(([s, e]) => [Math.max(0, Math.min(s, length)), Math.max(0, Math.min(e, length))] as [number, number])
    .filter(([s, e]) => e > s)
    .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const merged: [number, number][] = [];
  for (const r of clipped) {
    const last = merged.at(-1);
    if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else merged.push([r[0], r[1]]);
  }
  return merged;
}
