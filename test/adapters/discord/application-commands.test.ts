import { describe, expect, it } from 'vitest';
import { commands } from '../../../commands/index.ts';
import { normalizeCommand, toApplicationCommand, toApplicationCommands } from '../../../src/adapters/discord/application-commands.ts';
import { maxLengthOf } from '../../../src/core/command.ts';
import { testCommands } from './test-commands.ts';

const byName = (name: string) => {
  const found = toApplicationCommands(testCommands()).find((c) => c.name === name);
  if (!found) throw new Error(`no /${name}`);
  return found;
};

describe('application commands generated from the command definitions', () => {
  it('declares one chat-input command per definition, in order', () => {
    expect(toApplicationCommands(commands).map((c) => c.name)).toEqual(commands.map((c) => c.name));
    for (const c of toApplicationCommands(commands)) {
      expect(c.type).toBe(1);
      expect(c.description.length).toBeGreaterThan(0);
      expect(c.description.length).toBeLessThanOrEqual(100);
    }
  });

  it('satisfies Discord’s declaration rules for every real command', () => {
    const check = (o: { name: string; description: string; options?: unknown[] }) => {
      expect(o.name).toMatch(/^[-_a-z0-9]{1,32}$/);
      expect(o.description.length).toBeGreaterThanOrEqual(1);
      expect(o.description.length).toBeLessThanOrEqual(100);
      expect(o.options?.length ?? 0).toBeLessThanOrEqual(25);
    };
    for (const c of toApplicationCommands(commands)) {
      check(c);
      for (const o of c.options) {
        check(o);
        expect(o.autocomplete && o.choices).toBeFalsy();
        for (const sub of o.options ?? []) check(sub);
      }
    }
  });

  it('gives /source an integer n of at least 1 with autocomplete', () => {
    expect(byName('source').options[0]).toEqual({
      type: 4,
      name: 'n',
      description: expect.any(String),
      required: true,
      min_value: 1,
      autocomplete: true,
    });
  });

  it('gives /ask a required string question and /scenario an autocompleted name', () => {
    expect(byName('ask').options[0]).toMatchObject({ type: 3, name: 'question', required: true, max_length: 1000 });
    expect(byName('scenario').options[0]).toMatchObject({ type: 3, name: 'name', required: true, autocomplete: true });
    expect(byName('scenario').options.find((o) => o.name === 'article')).toMatchObject({ autocomplete: true });
  });

  it('registers every string option with the one limit the bot enforces on every platform', () => {
    for (const command of commands) {
      const declared = [...command.options, ...(command.subcommands ?? []).flatMap((s) => s.options)];
      const registered = toApplicationCommand(command).options.flatMap((o) => [o, ...(o.options ?? [])]);
      for (const option of declared.filter((o) => o.type === 'string')) {
        const found = registered.find((o) => o.name === option.name);
        expect(found?.max_length, `${command.name} ${option.name}`).toBe(maxLengthOf(option));
      }
    }
  });

  it('refuses to register a limit above Discord’s 6,000', () => {
    const [ask] = testCommands().filter((c) => c.name === 'ask');
    const tooLong = { ...ask!, options: [{ name: 'question', type: 'string' as const, description: 'q', maxLength: 6001 }] };
    expect(() => toApplicationCommand(tooLong)).toThrow('option "question": maxLength 6001 is above Discord\'s 6000');
  });

  it('lists required options before optional ones', () => {
    for (const c of toApplicationCommands(testCommands())) {
      const flags = c.options.map((o) => Boolean(o.required));
      expect(flags).toEqual([...flags].sort((a, b) => Number(b) - Number(a)));
    }
  });

  it('restricts a moderator command to Manage Server in guilds only', () => {
    expect(byName('audit')).toMatchObject({ default_member_permissions: '32', contexts: [0] });
    expect(byName('x-mod')).toMatchObject({ default_member_permissions: '32', contexts: [0] });
    expect(byName('ask')).toMatchObject({ default_member_permissions: null, contexts: [0, 1] });
  });

  it('turns subcommands into native subcommand options', () => {
    const digest = byName('x-watch');
    expect(digest.options.map((o) => [o.type, o.name])).toEqual([
      [1, 'subscribe'],
      [1, 'list'],
    ]);
    expect(digest.options[0]?.options?.[0]).toMatchObject({ type: 3, name: 'cron', required: true });
    // One subcommand is for everyone, so Discord must show the command; the server re-checks.
    expect(digest.default_member_permissions).toBeNull();
  });

  it('declares an attachment option with Discord’s attachment type', () => {
    expect(byName('x-upload').options[0]).toMatchObject({ type: 11, name: 'file', required: true });
  });

  it('normalises Discord’s stored form and the generated form to the same value', () => {
    const generated = toApplicationCommand(commands[0] as (typeof commands)[number]);
    const stored = { ...generated, id: '1', application_id: '2', version: '3', nsfw: false, name_localizations: null };
    expect(normalizeCommand(stored)).toEqual(normalizeCommand(generated as unknown as Record<string, unknown>));
  });
});
