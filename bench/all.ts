import { benchIndex } from './core.ts';
import { benchArgs, benchStart } from './start.ts';

/**
 * `npm run bench [-- sizes…] [--large] [--runs n]`: the whole bot process from spawn to first
 * answer, cold and warm, with peak RSS (bench/start.ts), then the index and query latency in
 * process (bench/core.ts), at 1,000 and 10,000 briefings; `--large` adds 50,000.
 */
const { sizes, runs, root } = benchArgs(process.argv.slice(2));
const start = await benchStart(sizes, runs, root);
const index = await benchIndex(sizes, (line) => process.stderr.write(`${line}\n`));
process.stdout.write(`\nWhole process, spawn to first answer:\n\n${start}\n\nIndex and queries, in process:\n\n${index}\n`);
