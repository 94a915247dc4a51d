import { open, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { RegistrationSource } from '../core/registry.ts';
import { formatBytes } from './bytes.ts';
import type { RawInput } from './decode.ts';
import { fetchUrl, type Resolver } from './fetch.ts';

export interface AcquireOptions {
  maxBytes: number;
  timeoutMs: number;
  allowPrivate: boolean;
  resolve?: Resolver;
}

export interface AcquireRefusal {
  ok: false;
  code: string;
  message: string;
}

const tooLarge = (label: string, size: number | undefined, maxBytes: number): AcquireRefusal => ({
  ok: false,
  code: 'too-large',
  message: `${label} is ${size === undefined ? 'larger than' : `${formatBytes(size)}, over`} the ${formatBytes(maxBytes)} limit (REGISTER_MAX_BYTES sets the limit)`,
});

/** Reads a local file without reading past the limit. */
async function readLocal(path: string, maxBytes: number): Promise<RawInput | AcquireRefusal> {
  const label = basename(path);
  try {
    const info = await stat(path);
    if (info.isDirectory())
      return { ok: false, code: 'not-a-file', message: `${path} is a folder: give the path of a .txt, .md or .html file` };
    if (info.size > maxBytes) return tooLarge(label, info.size, maxBytes);
    const handle = await open(path, 'r');
    try {
      const buffer = Buffer.alloc(maxBytes + 1);
      let total = 0;
      for (;;) {
        const { bytesRead } = await handle.read(buffer, total, buffer.length - total, null);
        if (bytesRead === 0) break;
        total += bytesRead;
        if (total > maxBytes) return tooLarge(label, undefined, maxBytes);
      }
      return { bytes: new Uint8Array(buffer.subarray(0, total)), name: label, label };
    } finally {
      await handle.close();
    }
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === 'ENOENT')
      return {
        ok: false,
        code: 'not-found',
        message: `${path} does not exist: give the path of a .txt, .md or .html file, or a web address`,
      };
    return { ok: false, code: 'unreadable', message: `${path} cannot be read (${code ?? String(cause)})` };
  }
}

/**
 * Gets the bytes of a registration source with every limit applied: URLs through the guarded
 * fetch, attachments through the platform's download (or the guarded fetch), local files read
 * up to the limit. Never throws.
 */
export async function acquire(source: RegistrationSource, options: AcquireOptions): Promise<RawInput | AcquireRefusal> {
  switch (source.kind) {
    case 'text': {
      const name = source.name ?? 'pasted text';
      return { bytes: new TextEncoder().encode(source.text), name, label: name };
    }
    case 'file':
      return readLocal(source.path, options.maxBytes);
    case 'url': {
      const fetched = await fetchUrl(source.url, options);
      if (!fetched.ok) return fetched;
      return {
        bytes: fetched.bytes,
        name: fetched.name,
        label: fetched.finalUrl,
        ...(fetched.contentType ? { contentType: fetched.contentType } : {}),
      };
    }
    case 'attachment': {
      const { attachment, download } = source;
      const label = attachment.name || 'the attached file';
      if (attachment.size !== undefined && attachment.size > options.maxBytes) return tooLarge(label, attachment.size, options.maxBytes);
      let bytes: Uint8Array;
      if (download) {
        try {
          bytes = await download(attachment);
        } catch (cause) {
          const why = cause instanceof Error ? cause.message : String(cause);
          if (/too-large/.test(String((cause as { code?: unknown }).code))) return tooLarge(label, attachment.size, options.maxBytes);
          return {
            ok: false,
            code: 'download-failed',
            message: `${label} could not be downloaded (${why.slice(0, 200)}): attach it again in a moment`,
          };
        }
        if (bytes.length > options.maxBytes) return tooLarge(label, bytes.length, options.maxBytes);
      } else {
        const fetched = await fetchUrl(attachment.url, options);
        if (!fetched.ok) return { ...fetched, message: `${label} could not be downloaded: ${fetched.message}` };
        bytes = fetched.bytes;
      }
      const contentType = attachment.contentType;
      return { bytes, name: attachment.name, label, ...(contentType ? { contentType } : {}) };
    }
  }
}
