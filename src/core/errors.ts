/**
 * A real fault (not a user mistake). Adapters catch it at the edge, log it with its cause,
 * and answer the user privately with `message` only: never a stack trace.
 */
export class BotError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BotError';
    this.code = code;
  }
}
