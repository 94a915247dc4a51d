import { isMap, LineCounter, parseDocument } from 'yaml';
import type { ImportIssue } from '../article.ts';

/** Parsed YAML front matter: plain data plus a way to find the line of a field. */
export interface FrontMatter {
  data: Record<string, unknown>;
  /** 1-based file line of the value at `path` (or of the front matter start when unknown). */
  lineOf(path: (string | number)[]): number;
  /** Number of lines the front matter block occupies, delimiters included. */
  lines: number;
}

/**
 * Splits `---` front matter off the top of normalized text and parses it. A block that is
 * never closed, does not parse, or is not a mapping becomes a `bad-front-matter` error.
 */
export function splitFrontMatter(text: string, errors: ImportIssue[]): { front?: FrontMatter; body: string; bodyLine: number } {
  const all = text.split('\n');
  const open = all.findIndex((l) => l.trim() !== '');
  if (open < 0 || all[open]?.trim() !== '---') return { body: text, bodyLine: 1 };
  const close = all.findIndex((l, i) => i > open && (l.trim() === '---' || l.trim() === '...'));
  if (close < 0) {
    errors.push({
      code: 'bad-front-matter',
      line: open + 1,
      message: `the front matter opened with --- on line ${open + 1} is never closed: add a --- line after it`,
    });
    return { body: '', bodyLine: 1 };
  }
  const source = all.slice(open + 1, close).join('\n');
  const offset = open + 1;
  const counter = new LineCounter();
  const doc = parseDocument(source, { lineCounter: counter, prettyErrors: false });
  const body = all.slice(close + 1).join('\n');
  const bodyLine = close + 2;
  const first = doc.errors[0];
  if (first) {
    const line = counter.linePos(first.pos[0]).line + offset;
    errors.push({
      code: 'bad-front-matter',
      line,
      message: `the front matter does not parse on line ${line}: ${first.message.split('\n')[0]}`,
    });
    return { body, bodyLine };
  }
  const data: unknown = source.trim() === '' ? {} : doc.toJS({ maxAliasCount: 50 });
  if (data === null || typeof data !== 'object' || Array.isArray(data) || (doc.contents && !isMap(doc.contents))) {
    errors.push({
      code: 'bad-front-matter',
      line: offset + 1,
      message: 'the front matter must be a list of "key: value" fields such as "title: …"',
    });
    return { body, bodyLine };
  }
  const lineOf = (path: (string | number)[]): number => {
    const node = doc.getIn(path, true) as { range?: [number, number, number] } | undefined;
    const start = node?.range?.[0];
    return start === undefined ? offset : counter.linePos(start).line + offset;
  };
  return { front: { data: data as Record<string, unknown>, lineOf, lines: close - open + 1 }, body, bodyLine };
}

/** A scalar as a trimmed string, or undefined for missing, empty and non-scalar values. */
export function str(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() || undefined;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof Date && !Number.isNaN(value.getTime())) return value.toISOString().slice(0, 10);
  return undefined;
}

/** A list of strings from a YAML list or a comma-separated string. */
export function strList(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(str).filter((s): s is string => s !== undefined);
  const s = str(value);
  return s ? s.split(/\s*,\s*/).filter((x) => x !== '') : [];
}

/** A list of positive integers (1-based paragraph numbers). */
export function numList(value: unknown): number[] {
  const items = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
  return items.map((v) => Number(v)).filter((n) => Number.isInteger(n));
}
