import { afterEach, describe, expect, it } from 'vitest';
import { articleFromFile, BUNDLED_FILE, libraryOf, SECOND_FILE } from '../../helpers/library.ts';
import { type Harness, startHarness, textsOf } from './harness.ts';

/**
 * Answers that name a command write it as it is typed in this workspace: the bot's real slash
 * commands (`/bb-scenario` with SLACK_COMMAND_PREFIX=bb-, `/scenario` without), and
 * `/briefing scenario` in answers to the umbrella command. Signed slash commands against a real
 * Bolt app and the loopback Slack.
 */

const bundled = articleFromFile(BUNDLED_FILE);
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function start(prefix: string): Promise<Harness> {
  h = await startHarness({ library: libraryOf(bundled), prefix });
  return h;
}

async function said(harness: Harness, command: string, text: string): Promise<string> {
  return textsOf((await harness.slash(command, text)).json()).join('\n');
}

describe('command hints on Slack', () => {
  it('with SLACK_COMMAND_PREFIX=bb-, help, hints and usage errors name /bb-… commands', async () => {
    const harness = await start('bb-');
    const help = await said(harness, '/bb-help', '');
    // Usage lines are code spans: copied as written, with no look-alike characters.
    expect(help).toContain('• `/bb-ask &lt;question&gt; [--article id]` Ask a question');
    expect(help).toContain('• `/bb-digest subscribe &lt;when&gt; [time zone] | unsubscribe [id] | status | preview | now` Scheduled');
    expect(help).toContain('Try /bb-brief, then /bb-scenario central-asia or /bb-ask What did Japarov call for?');
    expect(help).not.toMatch(/(^|[\s(])\/(ask|brief|scenario) /m);

    const brief = await said(harness, '/bb-brief', '');
    expect(brief).toContain('First scenario: ASEAN — /bb-scenario asean');
    expect(brief).toContain('Second scenario: Central Asia — /bb-scenario central-asia');

    expect(await said(harness, '/bb-source', 'x')).toContain(
      '/bb-source: n "x": must be a whole number such as 6; /bb-sources lists them. Usage: /bb-source &lt;n&gt; [--article id]',
    );
    expect(await said(harness, '/bb-sources', '--article nope')).toContain(
      `No briefing with id "nope". Try one of: ${bundled.id}. /bb-articles lists every briefing.`,
    );
    const digest = await said(harness, '/bb-help', 'bb-digest');
    expect(digest).toContain('• *Example* `/bb-digest subscribe daily 09:00 Europe/Istanbul`');
    expect(digest).toContain('• *Example* `/bb-digest subscribe 30 8 * * 1-5 America/New_York`');
  });

  it('through the umbrella /briefing, answers name commands as /briefing <name>', async () => {
    const harness = await start('bb-');
    const brief = await said(harness, '/briefing', 'brief');
    expect(brief).toContain('First scenario: ASEAN — /briefing scenario asean');
    const help = await said(harness, '/briefing', 'help');
    expect(help).toContain('/briefing ask &lt;question&gt; [--article id]');
    expect(await said(harness, '/briefing', 'sources')).toContain('/briefing source &lt;n&gt; shows the passages that cite one.');
  });

  it('without a prefix, answers name the plain commands', async () => {
    const harness = await start('');
    expect(await said(harness, '/brief', '')).toContain('First scenario: ASEAN — /scenario asean');
    expect(await said(harness, '/help', '')).toContain('/ask &lt;question&gt; [--article id]');
  });

  it('names the briefing in a hint when it is not the newest one, which commands read by default', async () => {
    h = await startHarness({ library: libraryOf(bundled, articleFromFile(SECOND_FILE)), prefix: 'bb-' });
    expect(await said(h, '/bb-brief', `--article ${bundled.id}`)).toContain(
      `First scenario: ASEAN — /bb-scenario asean --article ${bundled.id}`,
    );
  });
});
