import { createInterface } from 'node:readline';
import { renderText } from './render.ts';
import { type ConsoleDeps, runConsoleLine } from './session.ts';

export interface ChatIO {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** Prompt and colours for a person at a terminal; plain one-answer-per-line otherwise. */
  interactive: boolean;
}

const GREETING = (count: number) =>
  `briefing-bot: ${count === 1 ? '1 briefing' : `${count} briefings`} loaded. Try /brief, /scenario central-asia, /source 6, or just type a question. /help lists commands, /quit leaves.`;

/**
 * The terminal chat. Interactive: a prompt and coloured answers. Piped (`echo "/source 6" |
 * npm start`): one answer per input line, in order, and it resolves at end of input.
 */
export async function runChat(deps: ConsoleDeps, io: ChatIO): Promise<void> {
  const rl = createInterface({
    input: io.input,
    ...(io.interactive ? { output: io.output, terminal: true } : {}),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  const write = (text: string) => io.output.write(`${text}\n`);
  if (io.interactive) {
    write(GREETING(deps.library.size));
    rl.setPrompt('› ');
    rl.prompt();
  }
  let first = true;
  for await (const line of rl) {
    const trimmed = line.trim();
    if (/^\/?(quit|exit)$/i.test(trimmed)) break;
    if (trimmed) {
      const reply = await runConsoleLine(deps, trimmed, 'console');
      if (!io.interactive && !first) write('');
      write(renderText(reply, { color: io.interactive, width: io.output.columns ?? 100 }));
      first = false;
    }
    if (io.interactive) {
      write('');
      rl.prompt();
    }
  }
  rl.close();
}
