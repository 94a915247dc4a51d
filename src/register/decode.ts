import { formatBytes } from './bytes.ts';

/** How the text will be read: the pasted web format, Markdown with front matter, or an HTML page. */
export type InputKind = 'web' | 'markdown' | 'html';

export interface Decoded {
  ok: true;
  kind: InputKind;
  text: string;
}

export interface DecodeRefusal {
  ok: false;
  code: 'empty' | 'too-large' | 'binary' | 'not-utf8' | 'unsupported-type';
  message: string;
}

/** What is known about the bytes being registered. */
export interface RawInput {
  bytes: Uint8Array;
  /** File name or last URL path segment, for the extension and for messages. */
  name: string;
  contentType?: string;
  /** What to call it in messages: `second-briefing.md`, `https://…`. */
  label: string;
}

const SUPPORTED = 'a .txt, .md or .html file, or the address of a web page';

const EXTENSIONS: Record<string, InputKind> = {
  txt: 'web',
  text: 'web',
  md: 'markdown',
  markdown: 'markdown',
  html: 'html',
  htm: 'html',
  xhtml: 'html',
};
const UNSUPPORTED_EXTENSIONS =
  /\.(pdf|docx?|odt|rtf|pages|epub|xlsx?|pptx?|csv|json|xml|zip|gz|tar|7z|rar|png|jpe?g|gif|webp|svg|mp[34]|mov|exe|js|ts)$/i;

const MAGIC: [string, number[]][] = [
  ['a PDF document', [0x25, 0x50, 0x44, 0x46]],
  ['a ZIP archive (Word, OpenDocument or EPUB files are ZIPs)', [0x50, 0x4b, 0x03, 0x04]],
  ['a PNG image', [0x89, 0x50, 0x4e, 0x47]],
  ['a JPEG image', [0xff, 0xd8, 0xff]],
  ['a GIF image', [0x47, 0x49, 0x46, 0x38]],
  ['a gzip archive', [0x1f, 0x8b]],
  ['an old Word document', [0xd0, 0xcf, 0x11, 0xe0]],
];

function startsWith(bytes: Uint8Array, prefix: number[]): boolean {
  return prefix.every((b, i) => bytes[i] === b);
}

function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

function extensionKind(name: string): InputKind | 'unsupported' | undefined {
  if (UNSUPPORTED_EXTENSIONS.test(name)) return 'unsupported';
  const ext = /\.([a-z0-9]+)$/i.exec(name)?.[1]?.toLowerCase();
  // Own keys only: `notes.constructor` is not a known extension.
  return ext && Object.hasOwn(EXTENSIONS, ext) ? EXTENSIONS[ext] : undefined;
}

function sniff(text: string): InputKind {
  const head = text
    .slice(0, 2048)
    .replace(/^\uFEFF/, '')
    .trimStart()
    .toLowerCase();
  if (/^(?:<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]|<\?xml[^>]*>\s*<html)/.test(head)) return 'html';
  if (/^---[ \t]*\r?\n/.test(head)) return 'markdown';
  return 'web';
}

function looksBinary(bytes: Uint8Array): boolean {
  const sample = bytes.subarray(0, 8192);
  let control = 0;
  for (const b of sample) {
    if (b === 0) return true;
    if (b < 32 && b !== 9 && b !== 10 && b !== 13 && b !== 12) control++;
  }
  return control > sample.length / 20;
}

/**
 * Checks registration bytes before any parsing: not empty, within the size limit, not binary,
 * valid UTF-8, and of a supported type (by content type, then extension, then content).
 * Every refusal names the input and says what would work.
 * @example decodeInput({ bytes, name: 'briefing.md', label: 'briefing.md' }, 1 << 20) // { ok: true, kind: 'markdown', text }
 */
export function decodeInput(input: RawInput, maxBytes: number): Decoded | DecodeRefusal {
  const { bytes, label } = input;
  if (bytes.length > maxBytes) {
    return {
      ok: false,
      code: 'too-large',
      message: `${label} is ${formatBytes(bytes.length)}, over the ${formatBytes(maxBytes)} limit (REGISTER_MAX_BYTES sets the limit)`,
    };
  }
  const type = mediaType(input.contentType);
  const byExtension = extensionKind(input.name);
  const magic = MAGIC.find(([, prefix]) => startsWith(bytes, prefix));
  if (magic) return { ok: false, code: 'binary', message: `${label} is ${magic[0]}, not text: register ${SUPPORTED}` };
  if (startsWith(bytes, [0xff, 0xfe]) || startsWith(bytes, [0xfe, 0xff])) {
    return { ok: false, code: 'not-utf8', message: `${label} is UTF-16 text: save it as UTF-8 and register it again` };
  }
  if (looksBinary(bytes)) return { ok: false, code: 'binary', message: `${label} is binary data, not text: register ${SUPPORTED}` };
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const at = firstInvalidUtf8(bytes);
    return {
      ok: false,
      code: 'not-utf8',
      message: `${label} is not valid UTF-8 (byte ${at.toLocaleString('en-US')} is 0x${(bytes[at] ?? 0).toString(16).padStart(2, '0')}): save it as UTF-8 and register it again`,
    };
  }
  if (text.replace(/^\uFEFF/, '').trim() === '')
    return { ok: false, code: 'empty', message: `${label} is empty: it needs a title and at least one paragraph` };

  const unsupported = (what: string): DecodeRefusal => ({
    ok: false,
    code: 'unsupported-type',
    message: `${label} is ${what}, which cannot be registered: register ${SUPPORTED}`,
  });
  if (type === 'text/html' || type === 'application/xhtml+xml') return { ok: true, kind: 'html', text };
  if (type === 'text/markdown' || type === 'text/x-markdown') return { ok: true, kind: 'markdown', text };
  const genericType = type === '' || type === 'text/plain' || type === 'application/octet-stream' || type === 'binary/octet-stream';
  if (!genericType) return unsupported(`of type ${type}`);
  if (byExtension === 'unsupported') return unsupported(`a .${/\.([a-z0-9]+)$/i.exec(input.name)?.[1] ?? ''} file`);
  if (byExtension) return { ok: true, kind: byExtension === 'web' && sniff(text) === 'html' ? 'html' : byExtension, text };
  return { ok: true, kind: sniff(text), text };
}

/** Byte offset of the first byte that breaks UTF-8. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] as number;
    const need = b < 0x80 ? 0 : b >= 0xc2 && b < 0xe0 ? 1 : b >= 0xe0 && b < 0xf0 ? 2 : b >= 0xf0 && b < 0xf5 ? 3 : -1;
    if (need < 0) return i;
    for (let k = 1; k <= need; k++) if (((bytes[i + k] ?? 0) & 0xc0) !== 0x80) return i;
    i += need + 1;
  }
  return Math.max(0, bytes.length - 1);
}
