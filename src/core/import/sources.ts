import type { ImportIssue, Source } from '../article.ts';

/** A footnote marker in running text: `[3]`, `[^3]`, `[1, 2]`. */
const MARKER = /\[\^?(\d{1,4}(?:\s*,\s*\^?\d{1,4})*)\]/g;

/** Footnote numbers cited in a text, in order of first appearance. */
export function citationsIn(text: string): number[] {
  const seen: number[] = [];
  for (const m of text.matchAll(MARKER)) {
    for (const part of (m[1] ?? '').split(',')) {
      const n = Number.parseInt(part.replace('^', '').trim(), 10);
      if (n >= 1 && !seen.includes(n)) seen.push(n);
    }
  }
  return seen;
}

/** A line that starts a footnote: `[6] “Title”, Outlet, URL, (Access Date: 23.05.2025).` or `[^6]: …`. */
export const FOOTNOTE_LINE = /^\[\^?(\d{1,4})\](?::)?\s*(\S.*)?$/u;

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

function ymd(y: number, m: number, d: number): string | undefined {
  if (!(y >= 1000 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= 31)) return undefined;
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCMonth() !== m - 1) return undefined;
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/**
 * Parses a printed date into YYYY-MM-DD: `23.05.2025`, `23/05/2025`, `2025-05-23`,
 * `23 May 2025`, `May 23, 2025`. Day-first for numeric dates, as the briefings print them.
 * @example parseDate('23.05.2025') // '2025-05-23'
 */
export function parseDate(text: string): string | undefined {
  const t = text.trim().replace(/\.$/, '');
  let m = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/.exec(t);
  if (m) return ymd(Number(m[1]), Number(m[2]), Number(m[3]));
  m = /^(\d{1,2})[./-](\d{1,2})[./-](\d{4})$/.exec(t);
  if (m) return ymd(Number(m[3]), Number(m[2]), Number(m[1]));
  m = /^(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]{3,})\.?,?\s+(\d{4})$/.exec(t);
  if (m) return ymd(Number(m[3]), MONTHS.indexOf((m[2] ?? '').slice(0, 3).toLowerCase()) + 1, Number(m[1]));
  m = /^([A-Za-z]{3,})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})$/.exec(t);
  if (m) return ymd(Number(m[3]), MONTHS.indexOf((m[1] ?? '').slice(0, 3).toLowerCase()) + 1, Number(m[2]));
  return undefined;
}

/** Checks a printed URL: http(s) only, parsed by WHATWG `URL`. `www.x.org` gains `https://`. */
export function parseUrl(text: string): string | undefined {
  const candidate = /^www\./i.test(text) ? `https://${text}` : text;
  if (!/^https?:\/\/[^\s/]/i.test(candidate)) return undefined;
  try {
    const url = new URL(candidate);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    if (!url.hostname.includes('.') && url.hostname !== 'localhost') return undefined;
    return candidate;
  } catch {
    return undefined;
  }
}

const ACCESS =
  /(?:^|[\s,(])\(?\s*(?:access(?:ed)?(?:\s+date|\s+on)?|retrieved(?:\s+on)?|erişim\s+tarihi|дата\s+обращения)\s*(?::|(?=\d)|(?=(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)))\s*([^()]*?)\s*\)?[\s.,;]*$/iu;
/** Whether a source's text ends with its access date (`…, (Access Date: 23.05.2025).`). */
export function endsWithAccessDate(text: string): boolean {
  return ACCESS.test(text);
}

const URL_TOKEN_G = /\b[a-z][a-z0-9+.-]*:\/\/\S+|\bwww\.\S+/gi;
const QUOTED = /["“”«„]\s*(.+)\s*["”“»]/u;

/**
 * Parses the text after `[n]` into a source. Problems (bad URL, bad date) are pushed onto
 * `warnings`; the source is returned anyway.
 */
export function parseSourceText(n: number, body: string, line: number, warnings: ImportIssue[]): Source {
  let rest = body.trim();
  let accessed: string | undefined;
  const access = ACCESS.exec(rest);
  if (access) {
    const printed = (access[1] ?? '').trim();
    accessed = parseDate(printed);
    if (!accessed) {
      warnings.push({
        code: 'bad-date',
        line,
        message: `source [${n}]: access date "${printed}" does not parse (expected DD.MM.YYYY or YYYY-MM-DD)`,
      });
    }
    rest = rest.slice(0, access.index).trim();
  }
  let author: string | undefined;
  let title = '';
  let outlet = '';
  let url: string | undefined;
  const takeUrl = (text: string): string => {
    const tokens = [...text.matchAll(URL_TOKEN_G)];
    const token = tokens.at(-1);
    if (!token) return text;
    const printed = token[0].replace(/[.,;)\]]+$/, '');
    url = parseUrl(printed);
    if (!url)
      warnings.push({ code: 'bad-url', line, message: `source [${n}]: URL "${printed}" does not parse (expected http:// or https://)` });
    return `${text.slice(0, token.index)} ${text.slice(token.index + token[0].length)}`
      .replace(/\s*,(?:\s*,)+\s*/g, ', ')
      .replace(/\s{2,}/g, ' ')
      .trim();
  };
  const quoted = QUOTED.exec(rest);
  if (quoted && (quoted[1] ?? '').trim()) {
    title = (quoted[1] ?? '').trim();
    author =
      rest
        .slice(0, quoted.index)
        .replace(/[\s,.;:]+$/, '')
        .trim() || undefined;
    outlet = takeUrl(rest.slice(quoted.index + quoted[0].length)).replace(/^[\s,.;:]+|[\s,.;:]+$/g, '');
  } else {
    rest = takeUrl(rest).replace(/^[\s,.;]+|[\s,.;]+$/g, '');
    const parts = rest.split(/,\s+/).filter((p) => p.trim() !== '');
    if (parts.length >= 2) {
      outlet = (parts.pop() ?? '').trim();
      title = parts.join(', ').trim();
    } else {
      title = rest.trim();
    }
  }
  if (!title) title = outlet || url || `Source ${n}`;
  const source: Source = { n, title, outlet, line };
  if (author) source.author = author;
  if (url) source.url = url;
  if (accessed) source.accessed = accessed;
  return source;
}
