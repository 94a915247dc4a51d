import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * A fingerprint of the code that produces some cached data: the source text of the given
 * modules and of every module they import by relative path, transitively, and the installed
 * version of every package they import (a new `yaml` may parse differently). Caches keyed by it
 * (parsed briefings, the index snapshot) are discarded as soon as that code changes, with no
 * version number anyone has to remember to bump. Where the sources cannot be read (a bundled
 * build), it falls back to `fallback`, and the caches rely on their version constants.
 *
 * @example sourceFingerprint([new URL('./import/index.ts', import.meta.url)], 'v1') // 'b1946a…'
 */
export function sourceFingerprint(entries: readonly URL[], fallback: string): string {
  const seen = new Map<string, string>();
  const packages = new Map<string, URL>();
  const queue = [...entries];
  try {
    while (queue.length > 0) {
      const url = queue.pop() as URL;
      if (seen.has(url.href)) continue;
      const text = readFileSync(url, 'utf8');
      seen.set(url.href, text);
      for (const m of text.matchAll(/\bfrom\s+['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) {
        const specifier = (m[1] ?? m[2]) as string;
        if (specifier.startsWith('.')) queue.push(new URL(specifier, url));
        else if (!specifier.startsWith('node:')) packages.set(packageName(specifier), url);
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
  for (const [name, from] of [...packages].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    h.update(`${name}@${installedVersion(name, from)}\u0000`);
  }
  return h.digest('hex');
}

/** `yaml` from `yaml`, `@scope/pkg` from `@scope/pkg/sub/path`. */
function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return (specifier.startsWith('@') ? parts.slice(0, 2) : parts.slice(0, 1)).join('/');
}

/**
 * The version of the package `name` as the module at `from` resolves it: the nearest
 * package.json of that name above its entry point (a package's `exports` may hide its
 * package.json from `require.resolve`). "?" when it cannot be found, which still fingerprints.
 */
function installedVersion(name: string, from: URL): string {
  try {
    let dir = dirname(createRequire(from).resolve(name));
    for (;;) {
      try {
        const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
        if (manifest.name === name) return manifest.version ?? '?';
      } catch {
        // no package.json here: look further up
      }
      const parent = dirname(dir);
      if (parent === dir) return '?';
      dir = parent;
    }
  } catch {
    return '?';
  }
}
