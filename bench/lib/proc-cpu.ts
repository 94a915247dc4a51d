import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU time of other processes, read from Linux's /proc: `utime + stime` of a process plus
 * `cutime + cstime` (what its children used and it has already reaped). Summing a process tree
 * that way counts a child once, whether it is still alive (its own times) or has exited
 * (folded into its parent's), so PostgreSQL's backends that come and go between two readings
 * are neither lost nor counted twice.
 */

/** Clock ticks a second, the unit of /proc/<pid>/stat times (`getconf CLK_TCK`, almost always 100). */
export const CLOCK_TICKS = (() => {
  const out = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  const ticks = Number(out.stdout?.trim());
  return Number.isFinite(ticks) && ticks > 0 ? ticks : 100;
})();

interface Stat {
  pid: number;
  comm: string;
  ppid: number;
  /** utime + stime + cutime + cstime, in clock ticks. */
  ticks: number;
}

/** Parses /proc/<pid>/stat; undefined when the process is gone (or this is not Linux). */
export function readStat(pid: number): Stat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name is in parentheses and may itself hold spaces or parentheses: split after the last ')'.
  const close = text.lastIndexOf(')');
  const comm = text.slice(text.indexOf('(') + 1, close);
  const fields = text
    .slice(close + 2)
    .trim()
    .split(' ');
  // After the name: state(0) ppid(1) … utime(11) stime(12) cutime(13) cstime(14).
  const at = (i: number) => Number(fields[i] ?? 0);
  return { pid, comm, ppid: at(1), ticks: at(11) + at(12) + at(13) + at(14) };
}

/** CPU seconds used so far by each of `pids` (a missing process counts 0). */
export function cpuSeconds(pids: readonly number[]): number {
  return pids.reduce((sum, pid) => sum + (readStat(pid)?.ticks ?? 0), 0) / CLOCK_TICKS;
}

/** CPU seconds used so far by `root` and every process below it (children, their children, …). */
export function treeCpuSeconds(root: number): number {
  const children = new Map<number, Stat[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readStat(Number(name));
    if (!stat) continue;
    const list = children.get(stat.ppid) ?? [];
    list.push(stat);
    children.set(stat.ppid, list);
  }
  const top = readStat(root);
  if (!top) return 0;
  let ticks = 0;
  const queue: Stat[] = [top];
  for (let s = queue.pop(); s; s = queue.pop()) {
    ticks += s.ticks;
    queue.push(...(children.get(s.pid) ?? []));
  }
  return ticks / CLOCK_TICKS;
}

/**
 * CPU seconds the whole machine has spent busy (every core; not idle, not waiting for I/O) since
 * boot, from the first line of /proc/stat. On a shared machine the difference between two
 * readings, less what the measured processes used, is what everything else took meanwhile.
 */
export function machineBusySeconds(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
  // cpu user nice system idle iowait irq softirq steal guest guest_nice (guest time is already in user).
  const [, user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).map(Number);
  return ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) / CLOCK_TICKS;
}
