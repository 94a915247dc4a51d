import type { AnyCommand } from '../src/core/command.ts';
import articles from './articles.ts';
import ask from './ask.ts';
import audit from './audit.ts';
import brief from './brief.ts';
import digest from './digest.ts';
import help from './help.ts';
import register from './register.ts';
import scenario from './scenario.ts';
import source from './source.ts';
import sources from './sources.ts';
import unregister from './unregister.ts';

/** Every command, in the order /help lists them. No directory scanning: this list is the registry. */
export const commands: readonly AnyCommand[] = [
  ask,
  brief,
  scenario,
  source,
  sources,
  articles,
  digest,
  register,
  unregister,
  audit,
  help,
] as AnyCommand[];
