import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { z } from 'zod';
import { commands } from '../commands/index.ts';
import type { CommandContext } from './core/command.ts';
import { runLine } from './core/dispatch.ts';
import { Library } from './core/library.ts';
import { loadContentDir } from './core/load-content.ts';
import type { Excerpt } from './core/reply.ts';
import { PassageIndex } from './core/search/passage-index.ts';
import { textSyntax } from './core/syntax.ts';

/**
 * `npm run eval [file]`: asks every question of a question set through `/ask` and scores the
 * answers. An item is found when any of its `expect` phrases occurs (case-insensitively) in
 * the text or paragraph of an excerpt: recall@3 counts items found in the top 3, MRR@5 averages
 * 1/rank of the first excerpt found within the top 5.
 */

const questionSetSchema = z.object({
  about: z.string().optional(),
  items: z.array(z.object({ q: z.string().min(1), expect: z.array(z.string().min(1)).min(1) })).min(1),
});
export type QuestionSet = z.infer<typeof questionSetSchema>;

/** The outcome for one question. */
export interface ItemResult {
  q: string;
  expect: string[];
  /** 1-based rank of the first excerpt containing an expected phrase, or undefined. */
  rank: number | undefined;
  /** The top excerpts' texts, for printing misses. */
  top: string[];
}

/** What scoring needs of an excerpt. */
export type ScoredExcerpt = Pick<Excerpt, 'text' | 'passageText'>;

export interface EvalReport {
  items: ItemResult[];
  recallAt3: number;
  mrrAt5: number;
}

/** Rank of the first excerpt (1-based) whose text or paragraph holds an expected phrase. */
export function rankOf(excerpts: readonly Pick<Excerpt, 'text' | 'passageText'>[], expect: readonly string[]): number | undefined {
  const wanted = expect.map((e) => e.toLowerCase());
  const i = excerpts.findIndex((e) => {
    const hay = `${e.text}\n${e.passageText}`.toLowerCase();
    return wanted.some((w) => hay.includes(w));
  });
  return i < 0 ? undefined : i + 1;
}

/** Scores a question set with any way of getting ranked excerpts for a question. */
export async function evaluate(set: QuestionSet, ask: (q: string) => Promise<ScoredExcerpt[]>): Promise<EvalReport> {
  const items: ItemResult[] = [];
  for (const item of set.items) {
    const excerpts = await ask(item.q);
    items.push({
      q: item.q,
      expect: item.expect,
      rank: rankOf(excerpts.slice(0, 5), item.expect),
      top: excerpts.slice(0, 3).map((e) => e.text),
    });
  }
  const n = items.length;
  const recallAt3 = items.filter((r) => r.rank !== undefined && r.rank <= 3).length;
  const mrrAt5 = n ? items.reduce((sum, r) => sum + (r.rank !== undefined && r.rank <= 5 ? 1 / r.rank : 0), 0) / n : 0;
  return { items, recallAt3, mrrAt5 };
}

/** Reads and validates a question set file. */
export async function readQuestionSet(file: string): Promise<QuestionSet> {
  const parsed = questionSetSchema.safeParse(JSON.parse(await readFile(file, 'utf8')));
  if (!parsed.success)
    throw new Error(
      `${file} is not a question set: ${parsed.error.issues[0]?.message ?? 'invalid'} (expected {"items":[{"q","expect":[…]}]})`,
    );
  return parsed.data;
}

/** The top five excerpts `/ask` gives for a question (its first two pages). */
export function askThroughCommand(library: Library): (q: string) => Promise<Excerpt[]> {
  const ctx: CommandContext = {
    library,
    user: { id: 'eval', isModerator: false },
    platform: 'cli',
    now: () => new Date(),
    services: {},
    syntax: textSyntax(commands),
  };
  return async (q) => {
    const out: Excerpt[] = [];
    for (let page = 1; page <= 2 && out.length < 5; page++) {
      const reply = await runLine(commands, `/ask ${q} --page ${page}`, ctx);
      if (!reply.ok || reply.excerpts.length === 0) break;
      out.push(...reply.excerpts);
    }
    return out;
  };
}

export function formatReport(report: EvalReport, label: string): string {
  const n = report.items.length;
  const lines = [`${label}: recall@3 ${report.recallAt3}/${n}, MRR@5 ${report.mrrAt5.toFixed(3)}`];
  for (const r of report.items) {
    if (r.rank !== undefined && r.rank <= 3) continue;
    lines.push(`  miss${r.rank ? ` (rank ${r.rank})` : ''}: ${r.q}  [expect ${r.expect.map((e) => JSON.stringify(e)).join(' or ')}]`);
    r.top.forEach((t, i) => {
      lines.push(`    ${i + 1}. ${t.length > 140 ? `${t.slice(0, 140)}…` : t}`);
    });
  }
  return lines.join('\n');
}

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** Default question set: the shared development set next to the repository, when there is one. */
export const DEFAULT_QUESTIONS = resolve(repoRoot, '../shared/eval/dev-questions.json');
/** The question set kept in the repository, used when the shared one is not beside it. */
export const REPOSITORY_QUESTIONS = resolve(repoRoot, 'test/fixtures/eval/extra-questions.json');

/** The question sets to score: those named, else the shared set if present, else the repository's. */
export function questionFiles(argv: readonly string[], exists: (file: string) => boolean = existsSync): string[] {
  if (argv.length) return [...argv];
  return [exists(DEFAULT_QUESTIONS) ? DEFAULT_QUESTIONS : REPOSITORY_QUESTIONS];
}

async function main(argv: string[]): Promise<number> {
  const { loadConfig } = await import('./config.ts');
  const contentDir = resolve(loadConfig().BRIEFING_CONTENT_DIR);
  const files = questionFiles(argv);
  const { entries, problems } = await loadContentDir(contentDir);
  for (const p of problems) process.stderr.write(`skipped ${p.file}: ${p.errors.map((e) => e.message).join('; ')}\n`);
  if (entries.length === 0) {
    process.stderr.write(`no articles in ${contentDir}\n`);
    return 1;
  }
  const library = new Library(new PassageIndex());
  for (const e of entries) library.add(e.article, { addedAt: e.mtime, origin: 'content' });
  const ask = askThroughCommand(library);
  let allFound = true;
  for (const file of files) {
    const report = await evaluate(await readQuestionSet(file), ask);
    process.stdout.write(`${formatReport(report, file)}\n`);
    allFound &&= report.recallAt3 === report.items.length;
  }
  return allFound ? 0 : 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      process.stderr.write(`eval failed: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(2);
    },
  );
}
