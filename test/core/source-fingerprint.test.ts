import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { contentCodeFingerprint } from '../../src/core/content-cache.ts';
import { optionsHash } from '../../src/core/search/snapshot.ts';
import { sourceFingerprint } from '../../src/core/source-fingerprint.ts';

const dir = mkdtempSync(join(tmpdir(), 'fingerprint-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const url = (name: string) => pathToFileURL(join(dir, name));

describe('sourceFingerprint', () => {
  it('changes when a module or anything it imports changes, and not for other modules', () => {
    writeFileSync(join(dir, 'entry.ts'), "import { b } from './b.ts';\nexport const a = b;\n");
    writeFileSync(join(dir, 'b.ts'), "export { c } from './c.ts';\nexport const b = 1;\n");
    writeFileSync(join(dir, 'unrelated.ts'), 'export const x = 1;\n');
    // c.ts does not exist yet: the sources cannot all be read.
    expect(sourceFingerprint([url('entry.ts')], 'v1')).toBe('unreadable-sources:v1');
    writeFileSync(join(dir, 'c.ts'), 'export const c = 2;\n');
    const before = sourceFingerprint([url('entry.ts')], 'v1');
    expect(before).toMatch(/^[0-9a-f]{40}$/);
    writeFileSync(join(dir, 'unrelated.ts'), 'export const x = 2;\n');
    expect(sourceFingerprint([url('entry.ts')], 'v1')).toBe(before);
    writeFileSync(join(dir, 'c.ts'), 'export const c = 3;\n');
    expect(sourceFingerprint([url('entry.ts')], 'v1')).not.toBe(before);
  });

  it('changes when a package the code imports is installed in another version', () => {
    const pkg = join(dir, 'node_modules', '@scope', 'parser');
    mkdirSync(join(pkg, 'dist'), { recursive: true });
    writeFileSync(join(pkg, 'dist', 'index.js'), 'module.exports = {};\n');
    const manifest = (version: string) =>
      JSON.stringify({ name: '@scope/parser', version, main: 'dist/index.js', exports: { '.': './dist/index.js' } });
    writeFileSync(join(pkg, 'package.json'), manifest('1.0.0'));
    writeFileSync(
      join(dir, 'uses-package.ts'),
      "import { parse } from '@scope/parser/dist/index.js';\nimport { readFileSync } from 'node:fs';\n",
    );
    const before = sourceFingerprint([url('uses-package.ts')], 'v1');
    expect(sourceFingerprint([url('uses-package.ts')], 'v1')).toBe(before);
    writeFileSync(join(pkg, 'package.json'), manifest('1.1.0'));
    expect(sourceFingerprint([url('uses-package.ts')], 'v1')).not.toBe(before);
  });

  it('fingerprints the real importer and index code, the same every time', () => {
    expect(contentCodeFingerprint()).toMatch(/^[0-9a-f]{40}$/);
    expect(contentCodeFingerprint()).toBe(contentCodeFingerprint());
    expect(optionsHash()).toBe(optionsHash());
  });
});
