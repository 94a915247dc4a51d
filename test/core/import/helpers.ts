import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import type { Article, ImportResult } from '../../../src/core/article.ts';

export const BUNDLED = fileURLToPath(new URL('../../../content/china-counter-balancing-central-asia-southeast-asia.txt', import.meta.url));
export const FIXTURES = fileURLToPath(new URL('../../fixtures/articles/', import.meta.url));

export function bundledText(): string {
  return readFileSync(BUNDLED, 'utf8');
}

export function fixture(name: string): string {
  return readFileSync(`${FIXTURES}${name}`, 'utf8');
}

/** The article of a successful import; fails the test otherwise. */
export function ok(result: ImportResult): Article {
  if (!result.ok) expect.fail(`import failed: ${JSON.stringify(result.errors)}`);
  return result.article;
}

/** The article without line numbers and format, for comparing two imports of the same content. */
export function comparable(article: Article): unknown {
  return JSON.parse(JSON.stringify({ ...article, format: 'any' }, (key, value) => (key === 'line' ? undefined : value)));
}
