import { type Logger as BoltLogger, LogLevel } from '@slack/bolt';
import type { Logger } from 'pino';

/**
 * Bolt and its Web API client log through pino, with every secret scrubbed: the configured
 * tokens and signing secret by value, and anything shaped like a Slack token by pattern.
 */

const TOKEN_SHAPE = /\b(?:xox[abposre]|xapp)-[A-Za-z0-9-]{6,}/g;
/** response_url and webhook addresses let anyone post for a while: as sensitive as a token. */
const HOOK_URL = /https:\/\/hooks\.slack\.com\/[^\s"'\\]+/g;

/** Returns a function that replaces the given secrets, token-shaped strings and response URLs with `[redacted]`. */
export function makeScrubber(secrets: readonly (string | undefined)[]): (text: string) => string {
  const values = secrets.filter((s): s is string => typeof s === 'string' && s.length >= 6).sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const secret of values) if (out.includes(secret)) out = out.split(secret).join('[redacted]');
    return out.replace(TOKEN_SHAPE, '[redacted]').replace(HOOK_URL, 'https://hooks.slack.com/[redacted]');
  };
}

function describe(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function boltLevelOf(logger: Logger): LogLevel {
  const level = logger.level;
  if (level === 'trace' || level === 'debug') return LogLevel.DEBUG;
  if (level === 'info') return LogLevel.INFO;
  if (level === 'warn') return LogLevel.WARN;
  return LogLevel.ERROR;
}

/** Adapts a pino logger to Bolt's Logger interface; the level stays pino's. */
export function boltLogger(logger: Logger, scrub: (text: string) => string): BoltLogger {
  const line = (msg: unknown[]) => scrub(msg.map(describe).join(' ')).slice(0, 4000);
  return {
    debug: (...msg: unknown[]) => {
      if (logger.isLevelEnabled('debug')) logger.debug(line(msg));
    },
    info: (...msg: unknown[]) => logger.info(line(msg)),
    warn: (...msg: unknown[]) => logger.warn(line(msg)),
    error: (...msg: unknown[]) => logger.error(line(msg)),
    setLevel: () => {},
    getLevel: () => boltLevelOf(logger),
    setName: () => {},
  };
}

/** An error reduced to what is safe to log: name, code, Slack's error string, scrubbed message. */
export function safeError(error: unknown, scrub: (text: string) => string): Record<string, unknown> {
  if (!(error instanceof Error)) return { message: scrub(describe(error)) };
  const out: Record<string, unknown> = { name: error.name, message: scrub(error.message) };
  const coded = error as Error & { code?: unknown; data?: { error?: unknown } };
  if (typeof coded.code === 'string') out.code = coded.code;
  if (typeof coded.data?.error === 'string') out.slackError = coded.data.error;
  if (error.stack) out.stack = scrub(error.stack);
  return out;
}
