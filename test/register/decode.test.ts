import { describe, expect, it } from 'vitest';
import { decodeInput } from '../../src/register/decode.ts';

const bytes = (s: string) => new TextEncoder().encode(s);
const input = (data: Uint8Array | string, name: string, contentType?: string) => ({
  bytes: typeof data === 'string' ? bytes(data) : data,
  name,
  label: name,
  ...(contentType ? { contentType } : {}),
});

describe('decodeInput', () => {
  it('reads a .txt file as the pasted web format and a .md file as Markdown', () => {
    expect(decodeInput(input('Title\n\nBody.', 'a.txt'), 1000)).toEqual({ ok: true, kind: 'web', text: 'Title\n\nBody.' });
    expect(decodeInput(input('# Title', 'a.md'), 1000)).toMatchObject({ ok: true, kind: 'markdown' });
  });

  it('goes by the content type of a web page, then by the content', () => {
    expect(decodeInput(input('<p>x</p>', 'article', 'text/html; charset=utf-8'), 1000)).toMatchObject({ kind: 'html' });
    expect(decodeInput(input('# T', 'raw', 'text/markdown'), 1000)).toMatchObject({ kind: 'markdown' });
    expect(decodeInput(input('<!DOCTYPE html><html><body>x</body></html>', 'briefing'), 1000)).toMatchObject({ kind: 'html' });
    expect(decodeInput(input('---\ntitle: T\n---\nBody', 'briefing', 'text/plain'), 1000)).toMatchObject({ kind: 'markdown' });
    expect(decodeInput(input('<html><body>x</body></html>', 'saved.txt'), 1000)).toMatchObject({ kind: 'html' });
  });

  it('refuses an empty or blank file', () => {
    expect(decodeInput(input('', 'empty.md'), 1000)).toEqual({
      ok: false,
      code: 'empty',
      message: 'empty.md is empty: it needs a title and at least one paragraph',
    });
    expect(decodeInput(input(' \n\n\t', 'blank.txt'), 1000)).toMatchObject({ ok: false, code: 'empty' });
  });

  it('refuses a file over the limit and names both sizes', () => {
    expect(decodeInput(input('x'.repeat(2000), 'big.txt'), 1024)).toEqual({
      ok: false,
      code: 'too-large',
      message: 'big.txt is 2 KB, over the 1 KB limit (REGISTER_MAX_BYTES sets the limit)',
    });
  });

  it('refuses binary files, naming known kinds', () => {
    expect(decodeInput(input(bytes('%PDF-1.7 ...'), 'briefing.txt'), 1000)).toMatchObject({
      ok: false,
      code: 'binary',
      message: expect.stringContaining('is a PDF document'),
    });
    expect(decodeInput(input(new Uint8Array([0x50, 0x4b, 0x03, 0x04, 1, 2]), 'briefing.docx'), 1000)).toMatchObject({ code: 'binary' });
    expect(decodeInput(input(new Uint8Array([65, 0, 66, 0, 67]), 'nul.txt'), 1000)).toEqual({
      ok: false,
      code: 'binary',
      message: 'nul.txt is binary data, not text: register a .txt, .md or .html file, or the address of a web page',
    });
  });

  it('refuses text that is not UTF-8 and says where it breaks', () => {
    expect(decodeInput(input(new Uint8Array([0x43, 0x61, 0x66, 0xe9, 0x0a]), 'latin1.txt'), 1000)).toEqual({
      ok: false,
      code: 'not-utf8',
      message: 'latin1.txt is not valid UTF-8 (byte 3 is 0xe9): save it as UTF-8 and register it again',
    });
    expect(decodeInput(input(new Uint8Array([0xff, 0xfe, 0x41, 0x00]), 'utf16.txt'), 1000)).toMatchObject({
      code: 'not-utf8',
      message: expect.stringContaining('UTF-16'),
    });
  });

  it('does not take an Object property for an extension (notes.constructor is read by its content)', () => {
    expect(decodeInput(input('Title\n\nBody.', 'notes.constructor'), 1000)).toEqual({ ok: true, kind: 'web', text: 'Title\n\nBody.' });
  });

  it('refuses unsupported types by extension or content type', () => {
    expect(decodeInput(input('a,b\n1,2', 'table.csv'), 1000)).toEqual({
      ok: false,
      code: 'unsupported-type',
      message: 'table.csv is a .csv file, which cannot be registered: register a .txt, .md or .html file, or the address of a web page',
    });
    expect(decodeInput(input('{"a":1}', 'api', 'application/json'), 1000)).toMatchObject({
      code: 'unsupported-type',
      message: expect.stringContaining('of type application/json'),
    });
  });
});
