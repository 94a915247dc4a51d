// Started by the backup test as another process writing to the database the whole time: each
// transaction inserts a pair of keys (`pair:<n>:a`, `pair:<n>:b`), so a consistent copy holds
// both keys of a pair or neither. Prints "writing" after the first 50 pairs; on a line "stop"
// on stdin it prints how many pairs it wrote and exits.
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';

const db = new Database(process.argv[2] as string, { fileMustExist: true });
db.pragma('busy_timeout = 5000');
const insert = db.prepare("INSERT INTO keys (key, value, created_at, expires_at) VALUES (?, ?, '2025-01-01', '2099-01-01')");
const pair = db.transaction((n: number) => {
  insert.run(`pair:${n}:a`, 'x'.repeat(200));
  insert.run(`pair:${n}:b`, 'y'.repeat(200));
});
let n = 0;
let stopped = false;
const step = () => {
  if (stopped) return;
  for (let i = 0; i < 10; i++) pair.immediate(n++);
  if (n === 50) process.stdout.write('writing\n');
  setImmediate(step);
};
step();
createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() !== 'stop') return;
  stopped = true;
  db.close();
  process.stdout.write(`wrote ${n}\n`);
  process.exit(0);
});
