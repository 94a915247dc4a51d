import { userInfo } from 'node:os';
import type { AnyCommand, CommandContext, Services } from '../../core/command.ts';
import { type DispatchLog, runLine } from '../../core/dispatch.ts';
import type { Library } from '../../core/library.ts';
import type { Reply } from '../../core/reply.ts';
import { type CommandSyntax, textSyntax } from '../../core/syntax.ts';

export interface ConsoleDeps {
  library: Library;
  commands: readonly AnyCommand[];
  services: Services;
  logger?: DispatchLog;
  now?: () => Date;
  /** How replies write commands; default the terminal's (`/source 6 --article id`). */
  syntax?: CommandSyntax;
}

const syntaxes = new WeakMap<readonly AnyCommand[], CommandSyntax>();

/** The terminal's syntax for a command list (made once per list). */
function terminalSyntax(commands: readonly AnyCommand[]): CommandSyntax {
  let syntax = syntaxes.get(commands);
  if (!syntax) {
    syntax = textSyntax(commands);
    syntaxes.set(commands, syntax);
  }
  return syntax;
}

function localUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'operator';
  }
}

/** The local operator: the terminal and CLI are trusted like a moderator. */
export function consoleContext(deps: ConsoleDeps, platform: 'console' | 'cli'): CommandContext {
  return {
    library: deps.library,
    user: { id: `local:${localUser()}`, name: localUser(), isModerator: true },
    platform,
    channel: { platform: 'console', id: 'terminal', name: 'terminal' },
    now: deps.now ?? (() => new Date()),
    services: deps.services,
    syntax: deps.syntax ?? terminalSyntax(deps.commands),
  };
}

/** A line typed in the terminal: `/command …`, or plain text taken as a question for /ask. */
export function runConsoleLine(deps: ConsoleDeps, line: string, platform: 'console' | 'cli'): Promise<Reply> {
  const trimmed = line.trim();
  const commandLine = trimmed.startsWith('/') ? trimmed : `/ask ${trimmed}`;
  return runLine(deps.commands, commandLine, consoleContext(deps, platform), deps.logger);
}
