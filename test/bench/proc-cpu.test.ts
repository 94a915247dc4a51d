import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { CLOCK_TICKS, cpuSeconds, machineBusySeconds, readStat, treeCpuSeconds } from '../../bench/lib/proc-cpu.ts';

describe('CPU time from /proc', () => {
  it('reads this process: its name, its parent and a CPU time that only grows', () => {
    const stat = readStat(process.pid);
    expect(stat?.ppid).toBe(process.ppid);
    expect(stat?.comm.length).toBeGreaterThan(0);
    const before = cpuSeconds([process.pid]);
    let x = 0;
    for (let i = 0; i < 5_000_000; i++) x += i % 7;
    expect(x).toBeGreaterThan(0);
    expect(cpuSeconds([process.pid])).toBeGreaterThanOrEqual(before);
  });

  it('a process that is gone counts nothing', () => {
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const pid = Number(gone.stdout);
    expect(readStat(pid)).toBeUndefined();
    expect(cpuSeconds([pid])).toBe(0);
  });

  it("a tree keeps an exited child's CPU time (folded into its parent's)", () => {
    const before = treeCpuSeconds(process.pid);
    // The child reports the CPU it used; once it has exited and been reaped, its time is in ours.
    const child = spawnSync(
      process.execPath,
      [
        '-e',
        'let x = 0; for (let i = 0; i < 3e7; i++) x += i % 7; const u = process.cpuUsage(); process.stdout.write(String((u.user + u.system) / 1e6 + x * 0))',
      ],
      { encoding: 'utf8' },
    );
    const used = Number(child.stdout);
    expect(used).toBeGreaterThan(0);
    // One clock tick of slack: /proc counts in ticks, the child measured in microseconds.
    expect(treeCpuSeconds(process.pid) - before).toBeGreaterThanOrEqual(used - 1 / CLOCK_TICKS);
  });

  it("the machine's busy time is at least this process's own and never goes back", () => {
    const machine = machineBusySeconds();
    expect(machine).toBeGreaterThanOrEqual(cpuSeconds([process.pid]) - 1 / CLOCK_TICKS);
    expect(machineBusySeconds()).toBeGreaterThanOrEqual(machine);
  });
});
