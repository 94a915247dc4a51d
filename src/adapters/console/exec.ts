import { createInterface } from 'node:readline';
import { errorReply, type Reply, toJson } from '../../core/reply.ts';
import { renderText } from './render.ts';
import { type ConsoleDeps, runConsoleLine } from './session.ts';

/**
 * `briefing-bot exec "<command line>" [--json]`: one reply, exit code 0 for an answer and 1
 * for a user error.
 */
export async function execOnce(deps: ConsoleDeps, line: string, json: boolean, out: NodeJS.WritableStream): Promise<number> {
  const reply = await runConsoleLine(deps, line, 'cli');
  out.write(`${json ? JSON.stringify(toJson(reply)) : renderText(reply)}\n`);
  return reply.ok ? 0 : 1;
}

/**
 * `briefing-bot exec [--json]` with no command: one command a line from `input`, answered in
 * order. With `--json`, exactly one JSON reply a line (JSON Lines), so a client pairs replies
 * with its lines by position: an empty or blank line gets a `usage` error, a fault an `internal`
 * one. As text, blank lines are skipped. Exit code 1 when any line got an error reply, else 0.
 */
export async function execBatch(
  deps: ConsoleDeps,
  input: NodeJS.ReadableStream,
  json: boolean,
  out: NodeJS.WritableStream,
): Promise<number> {
  let code = 0;
  let n = 0;
  const rl = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of rl) {
    n += 1;
    if (!line.trim() && !json) continue;
    const reply = line.trim() ? await answer(deps, line) : errorReply('exec', 'usage', emptyLine(n));
    out.write(`${json ? JSON.stringify(toJson(reply)) : `${renderText(reply)}\n`}\n`);
    if (!reply.ok) code = 1;
  }
  return code;
}

function emptyLine(n: number): string {
  return `line ${n} is empty: give one command or question a line, e.g. /source 6 or What did Japarov call for?`;
}

/** A line's reply; a fault becomes an error reply, so the line still gets its one answer. */
async function answer(deps: ConsoleDeps, line: string): Promise<Reply> {
  try {
    return await runConsoleLine(deps, line, 'cli');
  } catch (err) {
    deps.logger?.error({ err }, 'exec line failed');
    return errorReply('exec', 'internal', 'this line failed on our side; the error was logged.');
  }
}
