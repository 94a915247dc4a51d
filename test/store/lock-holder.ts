// Started by the store tests as another process that holds a lock on a database file:
//   write      an open write transaction (BEGIN IMMEDIATE) on a WAL database: writers wait, readers read
//   exclusive  exclusive locking mode with a write: every other connection waits, readers too
// Prints "locked" once it holds the lock; on a line "release" on stdin it commits, prints
// "released" and exits.
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';

const [file, mode] = [process.argv[2] as string, process.argv[3] as string];
const db = new Database(file, { fileMustExist: true });
if (mode === 'exclusive') {
  db.pragma('journal_mode = DELETE');
  db.pragma('locking_mode = EXCLUSIVE');
  db.exec('BEGIN EXCLUSIVE');
} else {
  db.exec('BEGIN IMMEDIATE');
}
// A harmless write, so the lock is really taken.
db.pragma('user_version = 7');
process.stdout.write('locked\n');
createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() !== 'release') return;
  db.exec('COMMIT');
  db.close();
  process.stdout.write('released\n');
  process.exit(0);
});
