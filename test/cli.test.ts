import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('..', import.meta.url).pathname;
const dataDir = mkdtempSync(join(tmpdir(), 'briefing-cli-'));

function run(args: string[], input?: string, env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, args, {
    cwd: root,
    input: input ?? '',
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', BRIEFING_DATA_DIR: dataDir, ...env },
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('the briefing-bot binary', () => {
  it('exec "/source 6" --json prints one JSON reply and nothing else on stdout', () => {
    const { code, stdout } = run(['bin/briefing-bot.js', 'exec', '/source 6', '--json']);
    expect(code).toBe(0);
    const reply = JSON.parse(stdout);
    expect(reply.sources[0]).toMatchObject({ n: 6, outlet: 'TV BRICS', accessed: '2025-05-23' });
  });

  it('exec --json with no command answers each stdin line as JSON Lines and exits 1 when a line was a user error', () => {
    const { code, stdout } = run(['bin/briefing-bot.js', 'exec', '--json'], '/brief\n/source 0\n\n/scenario asean\n');
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines.map((l) => JSON.parse(l).ok)).toEqual([true, false, false, true]);
    expect(JSON.parse(lines[2] as string).error.code).toBe('usage');
    expect(code).toBe(1);
  });

  it('npm start with piped input answers each line and exits at end of input', () => {
    const { code, stdout } = run(['--import', 'tsx', 'src/main.ts'], '/source 6\n');
    expect(code).toBe(0);
    expect(stdout).toContain('TV BRICS');
    expect(stdout).toContain('https://tvbrics.com/news/kitay-zapustil-novyy-gruzovoy-zheleznodorozhnyy-marshrut-v-strany-asean');
    expect(stdout).toContain('Guangxi');
  });

  it('npm start with piped input says what is true of /digest now: the terminal channel needs an interactive terminal', () => {
    const { code, stdout } = run(['--import', 'tsx', 'src/main.ts'], '/digest now\n');
    expect(code).toBe(0);
    expect(stdout).toContain('Digests are posted in the terminal only while the chat runs in an interactive terminal');
    expect(stdout).toContain('/digest preview shows what would be posted.');
    expect(stdout).not.toContain('right now');
  });

  it('an invalid configuration names the variable and exits 2 without a stack trace', () => {
    const { code, stderr } = run(['--import', 'tsx', 'src/main.ts'], '', { PORT: 'eighty' });
    expect(code).toBe(2);
    expect(stderr).toContain('PORT');
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('an unknown CLI command prints usage and exits 2', () => {
    const { code, stderr } = run(['bin/briefing-bot.js', 'frobnicate']);
    expect(code).toBe(2);
    expect(stderr).toContain('Unknown command "frobnicate"');
  });
});
