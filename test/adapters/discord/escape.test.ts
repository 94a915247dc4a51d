import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cut, escapeFit, escapeMarkdown, escapeWithHighlights, inlineCode, plainSafe } from '../../../src/adapters/discord/escape.ts';

/** Removes markdown escapes the way Discord renders them, to compare with the original text. */
function rendered(markdown: string): string {
  return markdown.replace(/\\(.)/g, '$1').replace(/\u200b/g, '');
}

describe('escapeMarkdown', () => {
  it('backslash-escapes emphasis, code, strike, spoiler and link syntax', () => {
    expect(escapeMarkdown('**bold** _it_ ~~gone~~ `code` ||spoiler|| [fake](https://evil.example)')).toBe(
      '\\*\\*bold\\*\\* \\_it\\_ \\~\\~gone\\~\\~ \\`code\\` \\|\\|spoiler\\|\\| \\[fake\\]\\(https://evil.example\\)',
    );
  });

  it('disarms user, role, channel and everyone mentions', () => {
    const out = escapeMarkdown('@everyone @here <@123> <@!123> <@&456> <#789> <t:1700000000:R> <:emoji:1>');
    expect(out).not.toMatch(/(^|[^\\])<[@#t:]/);
    expect(out).not.toMatch(/@everyone|@here/);
    expect(rendered(out)).toBe('@everyone @here <@123> <@!123> <@&456> <#789> <t:1700000000:R> <:emoji:1>');
  });

  it('escapes headings, quotes, lists and subtext at the start of a line', () => {
    const out = escapeMarkdown('# Heading\n> quote\n- item\n+ item\n1. first\n-# small');
    expect(out).toBe('\\# Heading\n\\> quote\n\\- item\n\\+ item\n1\\. first\n\\-\\# small');
  });

  it('keeps bare links intact so they stay clickable', () => {
    expect(escapeMarkdown('see https://tvbrics.com/news/a_b_c for more')).toBe('see https://tvbrics.com/news/a_b_c for more');
  });

  it('drops bidirectional override characters', () => {
    expect(escapeMarkdown('abc\u202edef')).toBe('abcdef');
  });

  it('renders any text back literally, with no markup left active', () => {
    const alphabet = fc.constantFrom(...'ab 1.-+#>*_~`|[]()<>@:\\\n'.split(''), '@everyone', 'https://x.example/a', '<@&456>', ' 2. ');
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 40 }), (parts) => {
        const text = parts.join('');
        const out = escapeMarkdown(text);
        expect(rendered(out)).toBe(text);
        const outsideLinks = out.replace(/https?:\/\/[^\s\\]*/g, '');
        expect(outsideLinks).not.toMatch(/(^|[^\\])[*_~`|[\]()<>#]/);
        expect(out).not.toMatch(/@everyone/);
        expect(out).not.toMatch(/^[ \t]*(?:[-+]|\d+\.\s)/m);
      }),
      { numRuns: 300 },
    );
  });

  it('round-trips ordinary prose unchanged', () => {
    const prose = 'China’s trade with ASEAN reached $234 billion in 2025 (first quarter).';
    expect(rendered(escapeMarkdown(prose))).toBe(prose);
  });
});

describe('escapeWithHighlights', () => {
  it('bolds the highlighted ranges and escapes everything else', () => {
    expect(
      escapeWithHighlights('Japarov called *for* trade', [
        [0, 7],
        [21, 26],
      ]),
    ).toBe('**Japarov** called \\*for\\* **trade**');
  });

  it('merges overlapping ranges and ignores ranges outside the text', () => {
    expect(
      escapeWithHighlights('free trade area', [
        [0, 4],
        [2, 10],
        [40, 50],
      ]),
    ).toBe('**free trade** area');
  });

  it('keeps spaces outside the bold markers so they render', () => {
    expect(escapeWithHighlights('a trade b', [[1, 8]])).toBe('a **trade** b');
  });
});

describe('cutting to a limit', () => {
  it('never leaves half a surrogate pair', () => {
    expect(cut('ab😀', 3)).toBe('ab');
  });

  it('never ends on a lone escape backslash', () => {
    const out = escapeFit('a*b*c*d*e*f*g*h', 9);
    expect(out.length).toBeLessThanOrEqual(9);
    expect(out).toMatch(/…$/);
    expect(out.replace(/\\./g, '')).not.toContain('\\');
  });
});

describe('plainSafe', () => {
  it('breaks mention syntax in plain-text places such as footers', () => {
    expect(plainSafe('by <@123> for @everyone')).toBe('by <\u200b@123> for @\u200beveryone');
  });
});

describe('inlineCode, for command lines the bot writes', () => {
  it('shows a command exactly as written, with nothing to unescape', () => {
    expect(inlineCode('/digest subscribe when:30 8 * * 1-5 timezone:America/New_York', 200)).toBe(
      '`/digest subscribe when:30 8 * * 1-5 timezone:America/New_York`',
    );
  });

  it('cannot be ended early, spill onto another line or run past its length', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), fc.integer({ min: 3, max: 120 }), (text, max) => {
        const code = inlineCode(text, max);
        expect(code.length).toBeLessThanOrEqual(max);
        expect(code.startsWith('`') && code.endsWith('`')).toBe(true);
        expect(code.slice(1, -1)).not.toMatch(/[`\n]/);
      }),
    );
  });
});
