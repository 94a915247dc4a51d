import { describe, expect, it } from 'vitest';
import { benchArgs } from '../../bench/discord.ts';

describe('npm run bench:discord arguments', () => {
  it('defaults to /ask at 10,000 articles over the gateway, and adds HTTP interactions with --http', () => {
    expect(benchArgs([])).toEqual({ articles: 10_000, seconds: 10, inFlight: 50, command: 'ask', workers: 'auto', modes: ['gateway'] });
    expect(benchArgs(['--http', '--articles', '200', '--seconds=3', '--workers', '0'])).toMatchObject({
      articles: 200,
      seconds: 3,
      workers: 0,
      modes: ['gateway', 'http'],
    });
  });

  it('refuses a mistyped option or a bad value, naming it, instead of running at the defaults', () => {
    expect(benchArgs(['--htp'])).toEqual({ error: expect.stringContaining("bench:discord: Unknown option '--htp'") });
    expect(benchArgs(['--articles', 'ten'])).toEqual({
      error: expect.stringContaining('--articles "ten" must be a whole number from 1, such as 10000'),
    });
    expect(benchArgs(['--workers', 'x', '--seconds', '0'])).toEqual({
      error: expect.stringContaining(
        '--seconds "0" must be a whole number from 1, such as 10; --workers "x" must be auto or a whole number such as 1',
      ),
    });
    expect(benchArgs(['--command', 'audit'])).toEqual({
      error: expect.stringContaining('--command "audit" is not one the bench can send: ask, brief, sources, articles, help'),
    });
  });
});
