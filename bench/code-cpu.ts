/**
 * CPU time for the code benchmarks: this process (every thread: host, isolates, GC) plus the children it
 * has reaped (a spawned python3 or node, bubblewrap and what it ran). On a shared machine, runs per
 * second depend on everyone's load; CPU time per run much less.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let ticksPerSecond: number | undefined;

function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/**
 * CPU milliseconds of reaped children (cutime + cstime of /proc/self/stat, in clock ticks: 10 ms
 * steps), or null where /proc is not there.
 */
export function childrenCpuMs(): number | null {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    // Fields after the command name (in parentheses, which may hold spaces): state is field 3, so
    // cutime (16) and cstime (17) are the 14th and 15th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[13]) + Number(fields[14])) * 1000) / clockTicks();
  } catch {
    return null;
  }
}

/** CPU milliseconds used so far by this process and its reaped children. */
export function cpuNowMs(): number {
  const own = process.cpuUsage();
  return (own.user + own.system) / 1000 + (childrenCpuMs() ?? 0);
}
