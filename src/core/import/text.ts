/** A non-blank line of an imported file with its 1-based line number. */
export interface Line {
  text: string;
  line: number;
  /** True when a blank line (or the start of the file) comes right before it. */
  afterBlank: boolean;
}

/**
 * Normalizes untrusted text before parsing: Unicode NFC, LF line ends, no byte-order mark,
 * no NUL or other C0 control characters except tab and newline, non-breaking and other exotic
 * spaces turned into plain spaces.
 */
export function normalizeText(text: string): string {
  return text
    .replace(/^\uFEFF/, '')
    .replace(/\r\n?/g, '\n')
    .replace(/[\u2028\u2029]/g, '\n')
    .normalize('NFC')
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g, '')
    .replace(/[\u00A0\u1680\u2000-\u200A\u202F\u205F\u3000\t]/g, ' ')
    .replace(/[\u200B\uFEFF]/g, '');
}

/** Collapses runs of spaces and trims. */
export function tidy(text: string): string {
  return text.replace(/ {2,}/g, ' ').trim();
}

/** The non-blank lines of already normalized text, tidied, with line numbers. */
export function toLines(text: string, firstLine = 1): Line[] {
  const out: Line[] = [];
  let afterBlank = true;
  text.split('\n').forEach((raw, i) => {
    const t = tidy(raw);
    if (t === '') {
      afterBlank = true;
      return;
    }
    out.push({ text: t, line: firstLine + i, afterBlank });
    afterBlank = false;
  });
  return out;
}

/** Groups lines into blocks separated by blank lines. */
export function toBlocks(lines: Line[]): Line[][] {
  const blocks: Line[][] = [];
  for (const l of lines) {
    const last = blocks.at(-1);
    if (!last || l.afterBlank) blocks.push([l]);
    else last.push(l);
  }
  return blocks;
}

const SENTENCE_END = /[.!?…:;"”’»)\]]$/u;

/**
 * Splits a block of consecutive lines into paragraphs: a line ending a sentence closes its
 * paragraph (pasted web text puts one paragraph on a line), a line cut mid-sentence runs on
 * into the next (hard-wrapped text).
 */
export function blockParagraphs(block: Line[]): { text: string; line: number }[] {
  const out: { text: string; line: number }[] = [];
  let open: { text: string; line: number } | undefined;
  for (const l of block) {
    if (open) open.text = `${open.text} ${l.text}`;
    else open = { text: l.text, line: l.line };
    if (SENTENCE_END.test(l.text)) {
      out.push(open);
      open = undefined;
    }
  }
  if (open) out.push(open);
  return out;
}

/** Turns "Ergün MAMEDOV" into "Ergün Mamedov": words written all in capitals get title case. */
export function nameCase(name: string): string {
  return name
    .split(' ')
    .map((w) => {
      const letters = w.replace(/[^\p{L}]/gu, '');
      if (letters.length < 2 || letters !== letters.toUpperCase()) return w;
      return w
        .split('-')
        .map((part) => {
          const lower = part.toLowerCase().replace(/i\u0307/g, 'i');
          return lower.charAt(0).toUpperCase() + lower.slice(1);
        })
        .join('-');
    })
    .join(' ')
    .normalize('NFC');
}
