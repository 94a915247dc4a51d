import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadContentDir } from '../../src/core/load-content.ts';
import { BUNDLED, FIXTURES } from './import/helpers.ts';

describe('loadContentDir', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'content-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('loads the shipped content folder with the bundled briefing', async () => {
    const { entries, problems } = await loadContentDir(join(BUNDLED, '..'));
    expect(problems).toEqual([]);
    expect(entries.map((e) => e.article.id)).toContain('central-asia-and-southeast-asia-in-chinas-counter-balancing-strategy');
  });

  it('reads .txt, .md and .markdown files in name order, skips others, and reports bad files without stopping', async () => {
    await copyFile(BUNDLED, join(dir, 'b-china.txt'));
    await copyFile(join(FIXTURES, 'second-briefing.md'), join(dir, 'a-caucasus.md'));
    await writeFile(join(dir, 'c-note.markdown'), '# A Note\n\nOne paragraph.[1]\n');
    await writeFile(join(dir, 'd-empty.txt'), '\n\n');
    await writeFile(join(dir, 'e-copy.txt'), await readFile(BUNDLED, 'utf8'));
    await writeFile(join(dir, 'notes.json'), '{}');
    await writeFile(join(dir, '.hidden.txt'), 'Hidden\n\nText.');
    await mkdir(join(dir, 'sub.txt'));

    const { entries, problems } = await loadContentDir(dir);
    expect(entries.map((e) => [e.file, e.article.id])).toEqual([
      [join(dir, 'a-caucasus.md'), 'south-caucasus-energy-corridor'],
      [join(dir, 'b-china.txt'), 'central-asia-and-southeast-asia-in-chinas-counter-balancing-strategy'],
      [join(dir, 'c-note.markdown'), 'a-note'],
    ]);
    expect(entries[2]?.warnings.map((w) => [w.code, w.line])).toEqual([['missing-source', 3]]);
    expect(entries[0]?.mtime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(problems).toEqual([
      {
        file: join(dir, 'd-empty.txt'),
        errors: [{ code: 'empty', line: 1, message: 'the article is empty: paste its title, then its paragraphs' }],
      },
      {
        file: join(dir, 'e-copy.txt'),
        errors: [
          {
            code: 'duplicate-id',
            message: `article id "central-asia-and-southeast-asia-in-chinas-counter-balancing-strategy" is already used by ${join(dir, 'b-china.txt')}: give one of them another id`,
          },
        ],
      },
    ]);
  });

  it('reports a missing folder as one problem, or nothing when it may be missing', async () => {
    const missing = join(dir, 'nope');
    expect(await loadContentDir(missing)).toEqual({
      entries: [],
      problems: [{ file: missing, errors: [{ code: 'missing-dir', message: `content folder "${missing}" does not exist` }] }],
    });
    expect(await loadContentDir(missing, { missingOk: true })).toEqual({ entries: [], problems: [] });
  });
});
