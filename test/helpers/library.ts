import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { commands } from '../../commands/index.ts';
import type { Article } from '../../src/core/article.ts';
import type { CommandContext, CommandUser, Platform } from '../../src/core/command.ts';
import { importArticle } from '../../src/core/import/index.ts';
import { Library } from '../../src/core/library.ts';
import { PassageIndex } from '../../src/core/search/passage-index.ts';
import { textSyntax } from '../../src/core/syntax.ts';

export const BUNDLED_FILE = fileURLToPath(
  new URL('../../content/china-counter-balancing-central-asia-southeast-asia.txt', import.meta.url),
);
export const HOSTILE_FILE = fileURLToPath(new URL('../fixtures/articles/hostile.txt', import.meta.url));
export const SECOND_FILE = fileURLToPath(new URL('../fixtures/articles/second-briefing.md', import.meta.url));

/** Imports a file and fails loudly if it does not import cleanly. */
export function articleFromFile(file: string): Article {
  const result = importArticle(readFileSync(file, 'utf8'), { filename: file });
  if (!result.ok) throw new Error(`${file} did not import: ${JSON.stringify(result.errors)}`);
  return result.article;
}

export function libraryOf(...articles: Article[]): Library {
  const library = new Library(new PassageIndex());
  articles.forEach((article, i) => {
    library.add(article, { addedAt: new Date(Date.UTC(2025, 4, 23, 12, i)).toISOString(), origin: 'content' });
  });
  return library;
}

/** The bundled briefing, loaded and indexed. */
export async function bundledLibrary(): Promise<Library> {
  return libraryOf(articleFromFile(BUNDLED_FILE));
}

/** An article whose every field tries to ping, link or format (see test/fixtures/articles/hostile.txt). */
export async function hostileLibrary(): Promise<Library> {
  return libraryOf(articleFromFile(HOSTILE_FILE));
}

/** The bundled briefing plus a second Markdown briefing (newer). */
export async function twoArticleLibrary(): Promise<Library> {
  return libraryOf(articleFromFile(BUNDLED_FILE), articleFromFile(SECOND_FILE));
}

export function testContext(
  library: Library,
  overrides: { user?: Partial<CommandUser>; platform?: Platform; services?: CommandContext['services'] } = {},
): CommandContext {
  return {
    library,
    user: { id: 'U-test', name: 'tester', isModerator: false, ...overrides.user },
    platform: overrides.platform ?? 'console',
    channel: { platform: overrides.platform ?? 'console', id: 'C-test' },
    now: () => new Date('2025-06-01T09:00:00Z'),
    services: overrides.services ?? {},
    syntax: textSyntax(commands),
  };
}
