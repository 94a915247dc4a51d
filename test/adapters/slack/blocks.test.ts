import { describe, expect, it } from 'vitest';
import { commands } from '../../../commands/index.ts';
import type { SlackBlock, SlackMessage } from '../../../src/adapters/slack/block-types.ts';
import { renderReply, sourceLine } from '../../../src/adapters/slack/blocks.ts';
import { runLine } from '../../../src/core/dispatch.ts';
import type { OkReply } from '../../../src/core/reply.ts';
import { bundledLibrary, hostileLibrary, testContext } from '../../helpers/library.ts';
import { textsOf } from './harness.ts';

const byType = <T extends SlackBlock['type']>(m: SlackMessage, type: T) =>
  m.blocks.filter((b): b is Extract<SlackBlock, { type: T }> => b.type === type);

const reply: OkReply = {
  ok: true,
  command: 'ask',
  title: '“What did Japarov call for?”',
  text: 'Results 1-1 of 1.',
  excerpts: [
    {
      articleId: 'china',
      passageId: 'china#p7',
      text: 'Japarov called for closer energy cooperation with Beijing.',
      passageText: 'Japarov called for closer energy cooperation with Beijing.',
      citations: [6, 7],
      highlights: [
        [0, 7],
        [8, 14],
      ],
    },
  ],
  sources: [
    {
      articleId: 'china',
      n: 6,
      title: 'Kitay Zapustil',
      outlet: 'TV BRICS',
      url: 'https://tvbrics.com/news/x?a=1&b=2',
      accessed: '2025-05-23',
    },
    { articleId: 'china', n: 7, title: 'No link here', outlet: 'Reuters' },
  ],
  footer: 'Central Asia — Ergün Mamedov',
  actions: [
    { type: 'share', label: 'Share in channel' },
    { type: 'run', label: 'More results', invoke: { command: 'ask', options: { question: 'japarov', page: 2 } } },
  ],
  visibility: 'private',
};

describe('Block Kit rendering', () => {
  it('renders a header, bold query terms with footnotes, a context line per source, the footer and buttons', () => {
    const [message, ...rest] = renderReply(reply, { shareValue: 'SHARE', encodeRun: (inv) => `RUN:${inv.command}` });
    expect(rest).toHaveLength(0);
    const m = message as SlackMessage;
    expect(m.blocks[0]).toEqual({
      type: 'header',
      block_id: 'title',
      text: { type: 'plain_text', text: '“What did Japarov call for?”', emoji: true },
    });
    const sections = byType(m, 'section');
    expect(sections.map((s) => s.text.text)).toEqual([
      'Results 1-1 of 1.',
      '*Japarov* *called* for closer energy cooperation with Beijing. [6][7]',
    ]);
    const context = byType(m, 'context').map((c) => c.elements[0]?.text);
    expect(context).toEqual([
      '*[6]* <https://tvbrics.com/news/x?a=1&amp;b=2|Kitay Zapustil> · TV BRICS · accessed 2025-05-23',
      '*[7]* No link here · Reuters',
      'Central Asia — Ergün Mamedov',
    ]);
    const [actions] = byType(m, 'actions');
    expect(actions?.elements.map((e) => [e.action_id, e.text.text, e.value])).toEqual([
      ['briefing_share', 'Share in channel', 'SHARE'],
      ['briefing_run_1', 'More results', 'RUN:ask'],
    ]);
    expect(m.text).toBe('“What did Japarov call for?”: Results 1-1 of 1.');
  });

  it('widens highlights to whole words, since Slack does not bold part of a word', () => {
    const partial = {
      ...reply,
      excerpts: [{ ...(reply.excerpts[0] as OkReply['excerpts'][0]), highlights: [[2, 4]] as [number, number][], citations: [] }],
    };
    const m = renderReply(partial)[0] as SlackMessage;
    expect(byType(m, 'section')[1]?.text.text).toBe('*Japarov* called for closer energy cooperation with Beijing.');
  });

  it('does not repeat footnote numbers the excerpt already shows', () => {
    const shown = {
      ...reply,
      excerpts: [{ ...(reply.excerpts[0] as OkReply['excerpts'][0]), text: 'Trade grew by 314%.[6]', highlights: [] }],
    };
    const m = renderReply(shown)[0] as SlackMessage;
    expect(byType(m, 'section')[1]?.text.text).toBe('Trade grew by 314%.[6] [7]');
  });

  it('offers no Share button on public replies or without a share action', () => {
    const pub = renderReply({ ...reply, visibility: 'public' }, { shareValue: 'S', encodeRun: () => 'R' })[0] as SlackMessage;
    expect(byType(pub, 'actions')[0]?.elements.map((e) => e.action_id)).toEqual(['briefing_run_0']);
    const none = renderReply({ ...reply, actions: [] }, { shareValue: 'S' })[0] as SlackMessage;
    expect(byType(none, 'actions')).toHaveLength(0);
  });

  it('names who shared an answer above it', () => {
    const m = renderReply(reply, { sharedBy: 'U0ALICE' })[0] as SlackMessage;
    expect(m.blocks[0]).toEqual({ type: 'context', block_id: 'shared-by', elements: [{ type: 'mrkdwn', text: 'Shared by <@U0ALICE>' }] });
    const forged = renderReply(reply, { sharedBy: '!channel' })[0] as SlackMessage;
    expect(JSON.stringify(forged.blocks)).not.toContain('<!channel');
  });

  it('renders an error reply as one private warning with the message escaped', () => {
    const [m] = renderReply({ ok: false, command: 'x', error: { code: 'unknown-command', message: 'Unknown command "/<!channel>"' } });
    expect(m?.blocks).toEqual([
      { type: 'section', block_id: 'error', text: { type: 'mrkdwn', text: ':warning: Unknown command "/&lt;!channel&gt;"' } },
    ]);
  });

  it('shows a source without a usable URL as plain text, never as a link', () => {
    expect(sourceLine({ articleId: 'a', n: 1, title: 'T', outlet: '', url: 'javascript:alert(1)' })).toBe('*[1]* T');
    expect(sourceLine({ articleId: 'a', n: 2, title: 'T|x', outlet: 'O', url: 'https://e.x/a b|<c>' })).toBe(
      '*[2]* <https://e.x/a%20b%7C%3Cc%3E|T∣x> · O',
    );
  });
});

describe('rendering the real commands', () => {
  it('/scenario central-asia carries the labelled scenario passage and its byline', async () => {
    const library = await bundledLibrary();
    const r = await runLine(commands, '/scenario central-asia', testContext(library, { platform: 'slack' }));
    const [m] = renderReply(r, { shareValue: 's' });
    const sections = byType(m as SlackMessage, 'section').map((s) => s.text.text);
    expect(sections[0]).toMatch(/^\*Second scenario: Central Asia\*\nIn the second scenario regarding Central Asia/);
  });

  it('/source 6 shows TV BRICS with its link', async () => {
    const library = await bundledLibrary();
    const r = await runLine(commands, '/source 6', testContext(library, { platform: 'slack' }));
    const m = renderReply(r)[0] as SlackMessage;
    const lines = byType(m, 'context').map((c) => c.elements[0]?.text ?? '');
    expect(lines).toContain(
      '*[6]* <https://tvbrics.com/news/kitay-zapustil-novyy-gruzovoy-zheleznodorozhnyy-marshrut-v-strany-asean|Kitay Zapustil Novyy Gruzovoy Zheleznodorozhnyy Marshrut v Strany ASEAN> · TV BRICS · accessed 2025-05-23',
    );
  });

  it('escapes a hostile article in every command so it cannot ping, link or format', async () => {
    const library = await hostileLibrary();
    const ctx = testContext(library, { platform: 'slack' });
    const lines = ['/brief', '/ask gulf ports pipelines', '/scenario 1', '/source 1', '/source 2', '/sources', '/articles'];
    for (const line of lines) {
      const r = await runLine(commands, line, ctx);
      expect(r.ok, line).toBe(true);
      for (const message of renderReply(r, { shareValue: 's', encodeRun: () => 'r' })) {
        const all = textsOf({ text: message.text, blocks: message.blocks }).join('\n');
        expect(all, line).not.toMatch(/<[!@#]/);
        expect(all, line).not.toContain('<https://evil.example|');
        // Our links are the only angle brackets: one per source line that has a URL.
        for (const s of textsOf(message.blocks)) expect(s.replace(/<https?:\/\/[^\s<>|]+\|[^<>]*>/g, ''), line).not.toMatch(/[<>]/);
        // Article formatting characters are neutralised; ours are balanced.
        for (const b of byType(message, 'section')) expect(b.text.text).not.toMatch(/[`~_]/);
      }
    }
  });
});
