import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  codeSpan,
  escapeEntities,
  link,
  linkUrl,
  mrkdwnText,
  plainText,
  slackInputText,
  truncateEscaped,
  userMention,
} from '../../../src/adapters/slack/escape.ts';
import { chunkRichText, normalizeHighlights, richText } from '../../../src/adapters/slack/rich.ts';

describe('reading what a user typed in Slack', () => {
  it('turns entities, detected links and channels back into the text typed', () => {
    expect(slackInputText('R&amp;D &lt;grids&gt; <https://x.org/?a=1&amp;b=2|x.org/?a=1&amp;b=2> <#C123|general>')).toBe(
      'R&D <grids> https://x.org/?a=1&b=2 #general',
    );
    expect(slackInputText('&amp;lt; stays one level: &amp;amp;')).toBe('&lt; stays one level: &amp;');
  });

  it('leaves mentions and broadcasts as sent, for escaping on the way out', () => {
    expect(slackInputText('<!here> <@U123> hi')).toBe('<!here> <@U123> hi');
    expect(escapeEntities(slackInputText('&lt;!channel&gt;'))).toBe('&lt;!channel&gt;');
  });
});

describe('escaping untrusted text for Slack', () => {
  it('turns &, < and > into entities so no mention or link can form', () => {
    expect(escapeEntities('<!channel> & <@U123> <https://evil.example|click>')).toBe(
      '&lt;!channel&gt; &amp; &lt;@U123&gt; &lt;https://evil.example|click&gt;',
    );
  });

  it('replaces mrkdwn formatting characters with look-alikes', () => {
    expect(mrkdwnText('*bold* _it_ ~s~ `code`')).toBe('∗bold∗ ˍitˍ ∼s∼ ˋcodeˋ');
  });

  it('drops control characters and bidi overrides but keeps newlines', () => {
    expect(mrkdwnText('a\u0000b\u202ec\nd')).toBe('abc\nd');
  });

  it('never lets any input produce a Slack special sequence', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('<', '>', '!', '@', '#', '&', 'a', 'U', '|', 'h', ' '), maxLength: 60 }), (s) => {
        expect(mrkdwnText(s)).not.toMatch(/[<>]/);
        expect(plainText(s, 150)).not.toMatch(/[<>]/);
      }),
    );
  });

  it('only links http(s) URLs and encodes the characters that would end the link early', () => {
    expect(linkUrl('javascript:alert(1)')).toBeUndefined();
    expect(linkUrl('https://x.example/a|b>c d&e')).toBe('https://x.example/a%7Cb%3Ec%20d&amp;e');
    expect(link('https://x.example', '<!here>')).toBe('<https://x.example|&lt;!here&gt;>');
  });

  it('mentions only well-formed user ids', () => {
    expect(userMention('U0ALICE')).toBe('<@U0ALICE>');
    expect(userMention('!channel')).toBe('!channel');
  });

  it('never leaves half an entity when cutting escaped text', () => {
    expect(truncateEscaped('ab &amp; cd', 6)).toBe('ab …');
  });
});

describe('highlighted text', () => {
  it('merges overlapping ranges and ignores ranges outside the text', () => {
    expect(
      normalizeHighlights('energy cooperation', [
        [0, 3],
        [2, 6],
        [50, 60],
        [5, 2],
      ]),
    ).toEqual([[0, 6]]);
  });

  it('keeps bold markers inside the words, outside the surrounding spaces', () => {
    expect(richText('a bc d', [[1, 4]])).toBe('a *bc* d');
    expect(richText('a bc d', [[3, 6]])).toBe('a *bc d*');
  });

  it('cuts long text between words into pieces that each fit', () => {
    const text = Array.from({ length: 400 }, (_, i) => `word${i}`).join(' ');
    const pieces = chunkRichText(text, [[0, 5]], 500);
    expect(pieces.length).toBeGreaterThan(4);
    for (const p of pieces) expect(JSON.stringify(p).length - 2).toBeLessThanOrEqual(500);
    expect(pieces.join(' ').replace(/\*/g, '')).toBe(text);
  });
});

describe('codeSpan, for command lines the bot writes', () => {
  it('keeps * and _ as they are, so a command can be copied', () => {
    expect(codeSpan('/bb_digest subscribe 30 8 * * 1-5 America/New_York', 200)).toBe(
      '`/bb_digest subscribe 30 8 * * 1-5 America/New_York`',
    );
  });

  it('cannot be ended early or carry a mention: backticks become look-alikes, brackets entities, on one line', () => {
    const out = codeSpan('a`b <!channel> &\nnext', 200);
    expect(out).toBe('`aˋb &lt;!channel&gt; &amp; next`');
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), fc.integer({ min: 3, max: 120 }), (text, max) => {
        const span = codeSpan(text, max);
        expect(span.startsWith('`') && span.endsWith('`')).toBe(true);
        expect(span.slice(1, -1)).not.toMatch(/[`<>\n]/);
      }),
    );
  });
});
