import type { AnyCommand } from '../src/core/command.ts';
import articles from './articles.ts';
import ask from './ask.ts';
import brief from './brief.ts';
import help from './help.ts';
import scenario from './scenario.ts';
import source from './source.ts';
import sources from './sources.ts';

/** Every command, in the order /help lists them. No directory scanning: this list is the registry. */
export const commands: readonly AnyCommand[] = [ask, brief, scenario, source, sources, articles, help] as AnyCommand[];
