import { BotError } from '../core/errors.ts';

/**
 * A call that reached the store after it was closed: the bot is shutting down. The message can
 * reach chat (an answer still running at shutdown), so it says only that; which database it was
 * is in `cause`, for the log.
 */
export function storeClosed(what: string): BotError {
  return new BotError('store-closed', 'briefing-bot is shutting down, so this cannot be done now: try again in a moment.', {
    cause: new Error(`store: ${what} is closed`),
  });
}
