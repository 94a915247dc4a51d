import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('..', import.meta.url).pathname;

function sourcesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(root, dir))) {
    const path = join(dir, name);
    if (statSync(join(root, path)).isDirectory()) out.push(...sourcesUnder(path));
    else if (name.endsWith('.ts')) out.push(path);
  }
  return out;
}

function importsOf(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  return [...text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map(
    (m) => (m[1] ?? m[2]) as string,
  );
}

/** Packages the pure core may use: Node built-ins, validation, the search engine, and YAML front matter. */
const CORE_PACKAGES = ['zod', 'minisearch', 'yaml'];

describe('import boundaries', () => {
  it('src/core imports only node built-ins, zod, minisearch, yaml and itself', () => {
    for (const file of sourcesUnder('src/core')) {
      for (const spec of importsOf(file)) {
        const allowed = spec.startsWith('node:') || spec.startsWith('.') || CORE_PACKAGES.includes(spec);
        expect(allowed, `${file} imports ${spec}`).toBe(true);
        if (spec.startsWith('.'))
          expect(relative('src/core', join(file, '..', spec)).startsWith('..'), `${file} reaches outside core: ${spec}`).toBe(false);
      }
    }
  });

  it('src/core never reads the environment', () => {
    for (const file of sourcesUnder('src/core')) expect(readFileSync(join(root, file), 'utf8'), file).not.toMatch(/process\.env/);
  });

  it('commands import only src/core, zod and each other', () => {
    for (const file of sourcesUnder('commands')) {
      for (const spec of importsOf(file)) {
        const ok = spec === 'zod' || spec.startsWith('../src/core/') || spec.startsWith('./');
        expect(ok, `${file} imports ${spec}`).toBe(true);
      }
    }
  });

  it('adapters never import each other', () => {
    const adapters = readdirSync(join(root, 'src/adapters'));
    for (const adapter of adapters) {
      for (const file of sourcesUnder(`src/adapters/${adapter}`)) {
        for (const spec of importsOf(file)) {
          for (const other of adapters.filter((a) => a !== adapter)) {
            expect(spec.includes(`/adapters/${other}/`) || spec.startsWith(`../${other}/`), `${file} imports ${spec}`).toBe(false);
          }
        }
      }
    }
  });

  it('src/http imports only node built-ins, prom-client, the core and itself: no adapter, store or feature', () => {
    for (const file of sourcesUnder('src/http')) {
      for (const spec of importsOf(file)) {
        const ok = spec.startsWith('node:') || spec === 'prom-client' || spec.startsWith('./') || spec.startsWith('../core/');
        expect(ok, `${file} imports ${spec}`).toBe(true);
      }
    }
  });

  it('only src/config.ts reads the environment among the sources', () => {
    const allowed = new Set(['src/config.ts', 'src/main.ts', 'src/cli.ts']);
    for (const file of sourcesUnder('src').filter((f) => !allowed.has(f))) {
      expect(readFileSync(join(root, file), 'utf8'), file).not.toMatch(/process\.env/);
    }
  });
});
