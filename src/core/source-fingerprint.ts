import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

/**
 * A fingerprint of the code that produces some cached data: the source text of the given
 * modules and of every module they import by relative path, transitively. Caches keyed by it
 * (parsed briefings, the index snapshot) are discarded as soon as that code changes, with no
 * version number anyone has to remember to bump. Where the sources cannot be read (a bundled
 * build), it falls back to `fallback`, and the caches rely on their version constants.
 *
 * @example sourceFingerprint([new URL('./import/index.ts', import.meta.url)], 'v1') // 'b1946a…'
 */
export function sourceFingerprint(entries: readonly URL[], fallback: string): string {
  const seen = new Map<string, string>();
  const queue = [...entries];
  try {
    while (queue.length > 0) {
      const url = queue.pop() as URL;
      if (seen.has(url.href)) continue;
      const text = readFileSync(url, 'utf8');
      seen.set(url.href, text);
      for (const m of text.matchAll(/\bfrom\s+['"](\.{1,2}\/[^'"]+)['"]|\bimport\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g)) {
        queue.push(new URL((m[1] ?? m[2]) as string, url));
      }
    }
  } catch {
    return `unreadable-sources:${fallback}`;
  }
  const h = createHash('sha1');
  // By path inside src/core, so the same code hashes the same wherever it is installed.
  const base = new URL('./', import.meta.url).href;
  for (const [href, text] of [...seen].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    h.update(`${href.startsWith(base) ? href.slice(base.length) : href}\u0000${text}\u0000`);
  }
  return h.digest('hex');
}
