import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { commands } from '../../commands/index.ts';
import type { AnyCommand, CommandOption } from '../../src/core/command.ts';
import { findCommand, liftFlags, parseText } from '../../src/core/dispatch.ts';
import { declaredOptions, slot, syntaxOf, textSyntax } from '../../src/core/syntax.ts';

const terminal = textSyntax(commands);
const prefixed = textSyntax(commands, (c) => `/bb-${c}`);
const umbrella = textSyntax(commands, (c) => `/briefing ${c}`);

function command(name: string): AnyCommand {
  const found = findCommand(commands, name);
  if (!('run' in found)) throw new Error(`no /${name}`);
  return found;
}

describe('the text syntax of the terminal and Slack', () => {
  it('writes required options by position and --article as a flag, in declaration order', () => {
    expect(terminal.mention('source', { article: 'central-asia', n: 6 })).toBe('/source 6 --article central-asia');
    expect(terminal.mention('scenario', { name: 'asean' })).toBe('/scenario asean');
    expect(terminal.mention('ask', { question: 'free trade', article: 'central', page: 2 })).toBe(
      '/ask free trade --article central --page 2',
    );
    expect(terminal.mention('brief', { article: slot('id') })).toBe('/brief --article <id>');
    expect(terminal.mention('articles', { page: 3 })).toBe('/articles 3');
  });

  it('uses the name the platform gives a command: SLACK_COMMAND_PREFIX or the umbrella /briefing', () => {
    expect(prefixed.mention('scenario', { name: 'asean' })).toBe('/bb-scenario asean');
    expect(umbrella.mention('scenario', { name: 'asean' })).toBe('/briefing scenario asean');
    expect(prefixed.mention('digest', { id: 2 }, 'unsubscribe')).toBe('/bb-digest unsubscribe 2');
    expect(umbrella.name('digest', 'status')).toBe('/briefing digest status');
    expect(prefixed.usage(command('source'))).toBe('/bb-source <n> [--article id]');
    expect(umbrella.usage(command('ask'))).toBe('/briefing ask <question> [--article id]');
  });

  it('writes a subcommand’s usage from its options, and a zone after the schedule it belongs to', () => {
    expect(terminal.usage(command('digest'), 'subscribe')).toBe('/digest subscribe <when> [time zone]');
    expect(terminal.usage(command('digest'), 'unsubscribe')).toBe('/digest unsubscribe [id]');
    expect(terminal.mention('digest', { when: 'daily 09:00', timezone: 'Europe/Istanbul' }, 'subscribe')).toBe(
      '/digest subscribe daily 09:00 Europe/Istanbul',
    );
  });

  it('writes an option skipped before a given one as a flag, so the parser does not shift it', () => {
    expect(terminal.mention('ask', { article: 'central' })).toBe('/ask --article central');
    expect(parseText(command('ask'), '--article central')).toEqual({ article: 'central' });
  });

  it('says to attach a file instead of typing one', () => {
    expect(terminal.mention('register', { file: slot('a .txt, .md or .html file') })).toBe(
      '/register (with a .txt, .md or .html file attached)',
    );
  });

  it('without the command list (a context that brings no syntax) writes the first option by position', () => {
    const bare = syntaxOf({});
    expect(bare.mention('brief', { article: 'central-asia' })).toBe('/brief central-asia');
    expect(bare.mention('source', { n: 6, article: 'x y' })).toBe('/source 6 --article "x y"');
  });
});

/** Words the parser reads back as they are: no quotes, no leading dashes. */
const word = fc.stringMatching(/^[a-z0-9][a-z0-9.:/-]{0,11}$/);
const phrase = fc.array(word, { minLength: 1, maxLength: 4 }).map((w) => w.join(' '));

function anyValue(option: CommandOption): fc.Arbitrary<string | number> {
  if (option.type === 'integer') return fc.integer({ min: 1, max: 999 });
  // Only an option that takes the rest of the line, or is quoted, may hold spaces; both are.
  return fc.oneof(word, phrase);
}

/** Commands and subcommands whose options can all be typed (no file) and none follows a rest option. */
const invocations = commands.flatMap((c) => [undefined, ...(c.subcommands?.map((s) => s.name) ?? [])].map((sub) => ({ command: c, sub })));

describe('every mention parses back into the options it was written from', () => {
  for (const { command: c, sub } of invocations) {
    const options = declaredOptions(c, sub).filter((o) => o.type !== 'attachment');
    const afterRest = options.findIndex((o) => o.rest) + 1;
    const typed = afterRest > 0 ? options.filter((o, i) => i < afterRest || o.flag) : options;
    if (typed.length === 0) continue;
    it(`/${c.name}${sub ? ` ${sub}` : ''}`, () => {
      const record = fc.record(Object.fromEntries(typed.map((o) => [o.name, anyValue(o)])), { requiredKeys: [] });
      fc.assert(
        fc.property(record, (generated) => {
          const values = Object.fromEntries(Object.entries(generated).filter((e): e is [string, string | number] => e[1] !== undefined));
          for (const syntax of [terminal, prefixed, umbrella]) {
            const text = syntax.mention(c.name, values, sub);
            const after = text.slice(syntax.name(c.name).length).trim();
            const parsed = parseText(c, after);
            const expected = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, String(v)]));
            expect(parsed).toEqual(sub ? { subcommand: sub, ...expected } : expected);
          }
        }),
        { numRuns: 150 },
      );
    });
  }
});

describe('liftFlags (Discord options that take the rest of a line)', () => {
  const ask = command('ask');

  it('reads --article typed into the question as the article option', () => {
    expect(liftFlags(ask, { question: 'free trade --article central' })).toEqual({ question: 'free trade', article: 'central' });
    expect(liftFlags(ask, { question: '--article=central free  trade --page 2' })).toEqual({
      question: 'free trade',
      article: 'central',
      page: '2',
    });
  });

  it('leaves the text alone for an option filled in separately, an unknown flag or a bare one', () => {
    expect(liftFlags(ask, { question: 'free trade --article central', article: 'asean' })).toEqual({
      question: 'free trade --article central',
      article: 'asean',
    });
    expect(liftFlags(ask, { question: 'what does --verbose mean' })).toEqual({ question: 'what does --verbose mean' });
    expect(liftFlags(ask, { question: 'the --article' })).toEqual({ question: 'the --article' });
    expect(liftFlags(ask, { question: 'no flags here' })).toEqual({ question: 'no flags here' });
  });

  it('only looks inside options that take the rest of a line', () => {
    expect(liftFlags(command('source'), { n: 2, article: 'x --n 3' })).toEqual({ n: 2, article: 'x --n 3' });
    expect(liftFlags(command('digest'), { subcommand: 'subscribe', when: 'daily 09:00 --timezone UTC' })).toEqual({
      subcommand: 'subscribe',
      when: 'daily 09:00',
      timezone: 'UTC',
    });
  });
});
