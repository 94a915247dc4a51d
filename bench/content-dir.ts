import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { exportMarkdown } from '../src/core/import/export-markdown.ts';
import { corpusArticles } from './corpus.ts';

/**
 * The synthetic corpus as a content folder: one Markdown file with front matter per briefing,
 * exactly what `BRIEFING_CONTENT_DIR` points at in production. Written once per size and seed
 * and reused (a `.corpus.json` stamp records what the folder holds; the loader skips dot files).
 */

/** Bump when the files written for the same options would differ. */
const LAYOUT = 1;

export interface ContentDirOptions {
  articles: number;
  seed?: number;
}

/** A folder of Markdown briefings under `root`, written unless an identical one is there. */
export async function ensureContentDir(
  root: string,
  options: ContentDirOptions,
): Promise<{ dir: string; written: boolean; files: string[] }> {
  const seed = options.seed ?? 7;
  const dir = join(root, `content-${options.articles}-s${seed}`);
  const stampPath = join(dir, '.corpus.json');
  const stamp = { layout: LAYOUT, articles: options.articles, seed };
  try {
    const found = JSON.parse(await readFile(stampPath, 'utf8')) as typeof stamp & { files: string[] };
    if (found.layout === LAYOUT && found.articles === options.articles && found.seed === seed) {
      return { dir, written: false, files: found.files };
    }
  } catch {
    // No stamp (or a broken one): write the folder again.
  }
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const files: string[] = [];
  for (const article of corpusArticles({ articles: options.articles, seed })) {
    const name = `${article.id}.md`;
    await writeFile(join(dir, name), exportMarkdown(article));
    files.push(name);
  }
  // Written last: a folder interrupted half-way has no stamp and is written again.
  await writeFile(stampPath, JSON.stringify({ ...stamp, files }));
  return { dir, written: true, files };
}
