import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { commands } from '../../../commands/index.ts';
import { runChat } from '../../../src/adapters/console/chat.ts';
import { execBatch, execOnce } from '../../../src/adapters/console/exec.ts';
import { renderText, sanitize } from '../../../src/adapters/console/render.ts';
import type { ConsoleDeps } from '../../../src/adapters/console/session.ts';
import { bundledLibrary } from '../../helpers/library.ts';

const deps: ConsoleDeps = { library: await bundledLibrary(), commands, services: {} };

function collect(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

describe('terminal chat', () => {
  it('answers one command a line when piped and ends at end of input', async () => {
    const out = collect();
    const input = PassThrough.from(['/scenario central-asia\n/source 6\n']);
    await runChat(deps, { input, output: out.stream, interactive: false });
    const text = out.text();
    expect(text).toContain('In the second scenario regarding Central Asia');
    expect(text).toContain('TV BRICS');
    expect(text).toContain('https://tvbrics.com/news/kitay-zapustil-novyy-gruzovoy-zheleznodorozhnyy-marshrut-v-strany-asean');
    expect(text).toContain('accessed 2025-05-23');
    expect(text).toContain('Guangxi');
    expect(text).not.toContain('\x1b[');
  });

  it('writes commands in replies as they are typed here: /help usage, /brief scenario hints, usage errors', async () => {
    const out = collect();
    const input = PassThrough.from(['/help\n/brief\n/source x\n/help digest\n']);
    await runChat(deps, { input, output: out.stream, interactive: false });
    const text = out.text();
    expect(text).toContain('• /ask <question> [--article id]: Ask a question');
    expect(text).toContain('Try /brief, then /scenario central-asia or /ask What did Japarov call for?');
    expect(text).toContain('• Scenario: First scenario: ASEAN — /scenario asean');
    expect(text).toContain('/source: n "x": must be a whole number such as 6; /sources lists them. Usage: /source <n> [--article id]');
    expect(text).toContain('• Example: /digest subscribe 30 8 * * 1-5 America/New_York');
  });

  it('takes plain text as a question', async () => {
    const out = collect();
    await runChat(deps, { input: PassThrough.from(['What did Japarov call for?\n']), output: out.stream, interactive: false });
    expect(out.text()).toContain('Japarov');
  });
});

describe('exec', () => {
  it('exec "/source 6" --json prints one reply in the documented interface', async () => {
    const out = collect();
    const code = await execOnce(deps, '/source 6', true, out.stream);
    expect(code).toBe(0);
    const reply = JSON.parse(out.text());
    expect(reply).toMatchObject({ ok: true, command: 'source' });
    expect(reply.sources[0]).toMatchObject({
      n: 6,
      title: expect.stringContaining('Kitay'),
      outlet: 'TV BRICS',
      accessed: '2025-05-23',
      url: expect.stringContaining('tvbrics.com'),
    });
    expect(reply.sources[0].articleId).toBe(reply.excerpts[0].articleId);
    expect(reply.excerpts[0]).toMatchObject({ passageId: expect.stringMatching(/#p\d+$/), citations: [6] });
    expect(reply.excerpts[0].passageText).toContain('Guangxi');
    expect(reply.actions).toBeUndefined();
  });

  it('marks /help usage lines and examples as literal command lines in the JSON interface', async () => {
    const out = collect();
    await execOnce(deps, '/help source', true, out.stream);
    expect(JSON.parse(out.text()).items).toEqual([
      { label: 'Example', text: '/source 6', literal: 'text' },
      { label: 'Example', text: '/source 1 --article central-asia', literal: 'text' },
    ]);
  });

  it('a user error exits 1 with the error object', async () => {
    const out = collect();
    const code = await execOnce(deps, '/source 10', true, out.stream);
    expect(code).toBe(1);
    expect(JSON.parse(out.text())).toEqual({
      ok: false,
      command: 'source',
      error: { code: 'unknown-source', message: expect.stringContaining('sources 1-9') },
    });
  });

  it('batch mode prints exactly one JSON reply per input line, in order, blank lines included', async () => {
    const out = collect();
    const input = PassThrough.from(['/source 6\n', '\n', '/scenario mars\r\n', '   \t\n', '/brief\n', 'What did Japarov call for?']);
    const code = await execBatch(deps, input, true, out.stream);
    const lines = out
      .text()
      .split('\n')
      .filter((l, i, all) => i < all.length - 1 || l !== '')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.ok, l.command, l.error?.code])).toEqual([
      [true, 'source', undefined],
      [false, 'exec', 'usage'],
      [false, 'scenario', 'unknown-scenario'],
      [false, 'exec', 'usage'],
      [true, 'brief', undefined],
      [true, 'ask', undefined],
    ]);
    expect(lines[1].error.message).toBe(
      'line 2 is empty: give one command or question a line, e.g. /source 6 or What did Japarov call for?',
    );
    expect(lines[3].error.message).toContain('line 4 is empty');
    expect(code).toBe(1);
  });

  it('batch mode exits 0 when every line was answered', async () => {
    const out = collect();
    expect(await execBatch(deps, PassThrough.from(['/brief\n/source 6\n']), true, out.stream)).toBe(0);
    expect(out.text().trim().split('\n')).toHaveLength(2);
  });

  it('batch mode as text skips blank lines', async () => {
    const out = collect();
    expect(await execBatch(deps, PassThrough.from(['/source 6\n\n\n']), false, out.stream)).toBe(0);
    expect(out.text()).toContain('TV BRICS');
  });
});

describe('text rendering', () => {
  it('strips terminal escape sequences from article text', () => {
    expect(sanitize('a\x1b[31mred\x1b[0m\x07b\x1b]0;title\x07c')).toBe('aredbc');
  });

  it('appends citations the excerpt text lacks and bolds highlights in colour', () => {
    const text = renderText(
      {
        ok: true,
        command: 'ask',
        title: 'T',
        visibility: 'private',
        excerpts: [
          {
            articleId: 'a',
            passageId: 'a#p1',
            text: 'Rail time fell.',
            passageText: 'Rail time fell.',
            citations: [6],
            highlights: [[0, 4]],
          },
        ],
        sources: [],
      },
      { color: true },
    );
    expect(text).toContain('\x1b[1mRail\x1b[0m time fell. [6]');
  });
});
