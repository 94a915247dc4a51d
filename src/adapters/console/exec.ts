import { createInterface } from 'node:readline';
import { toJson } from '../../core/reply.ts';
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
 * `briefing-bot exec --json` with no command: one command a line from `input`, one JSON reply
 * a line (JSON Lines) in order. Exit code 1 when any line was a user error.
 */
export async function execBatch(
  deps: ConsoleDeps,
  input: NodeJS.ReadableStream,
  json: boolean,
  out: NodeJS.WritableStream,
): Promise<number> {
  let code = 0;
  const rl = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of rl) {
    if (!line.trim()) continue;
    const reply = await runConsoleLine(deps, line, 'cli');
    out.write(`${json ? JSON.stringify(toJson(reply)) : `${renderText(reply)}\n`}\n`);
    if (!reply.ok) code = 1;
  }
  return code;
}
