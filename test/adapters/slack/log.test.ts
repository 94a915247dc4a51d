import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { boltLogger, makeScrubber, safeError } from '../../../src/adapters/slack/log.ts';

describe('logging through Bolt', () => {
  const scrub = makeScrubber(['my-signing-secret-123', undefined, '']);

  it('scrubs configured secrets, anything shaped like a Slack token, and response URLs', () => {
    const line = scrub(
      'secret my-signing-secret-123 bot xoxb-1-2-abcdef app xapp-1-A1-xyz123 url https://hooks.slack.com/commands/T1/2/abc"',
    );
    expect(line).toBe('secret [redacted] bot [redacted] app [redacted] url https://hooks.slack.com/[redacted]"');
  });

  it('writes Bolt messages to pino at the matching level, scrubbed', () => {
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (l: string) => lines.push(l) });
    const bolt = boltLogger(logger, scrub);
    bolt.debug('hidden at info level');
    bolt.warn('token', 'xoxb-1-2-abcdef', { a: 1 });
    bolt.error(new Error('failed with my-signing-secret-123'));
    expect(lines.map((l) => JSON.parse(l).msg)).toEqual(['token [redacted] {"a":1}', 'Error: failed with [redacted]']);
    expect(bolt.getLevel()).toBe('info');
  });

  it('reduces errors to safe fields', () => {
    const error = Object.assign(new Error('xoxb-1-2-abcdef rejected'), {
      code: 'slack_webapi_platform_error',
      data: { error: 'invalid_auth' },
    });
    expect(safeError(error, scrub)).toMatchObject({
      message: '[redacted] rejected',
      code: 'slack_webapi_platform_error',
      slackError: 'invalid_auth',
    });
  });
});
