import { readdirSync, readFileSync } from 'node:fs';

/** One numeric field of /proc/<pid>/status (kB for sizes), NaN when absent. */
function statusField(pid: number, name: string): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  for (const line of status.split('\n')) {
    if (line.startsWith(`${name}:`)) return Number.parseInt(line.slice(name.length + 1).trim(), 10);
  }
  return Number.NaN;
}

/** The process and every process under it (the sandbox children), from /proc. */
function tree(pid: number): number[] {
  const out = [pid];
  for (let i = 0; i < out.length; i++) {
    const parent = out[i] as number;
    let tasks: string[] = [];
    try {
      tasks = readdirSync(`/proc/${parent}/task`);
    } catch {
      continue; // exited between the listing and the read
    }
    for (const task of tasks) {
      let children = '';
      try {
        children = readFileSync(`/proc/${parent}/task/${task}/children`, 'utf8');
      } catch {}
      for (const child of children.split(' ')) if (child.trim()) out.push(Number(child));
    }
  }
  return out;
}

export interface TreeSample {
  /** RSS of the process and all its descendants, MiB. */
  rssMb: number;
  /** Threads of the process and all its descendants. */
  threads: number;
  processes: { pid: number; rssMb: number; threads: number; command: string }[];
}

function commandOf(pid: number): string {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    return argv.slice(1).join(' ').slice(0, 80);
  } catch {
    return '?';
  }
}

/** Memory and threads of a server and its sandbox children together (Linux /proc), or null if it is gone. */
export function sampleTree(pid: number): TreeSample | null {
  let rssKb = 0;
  let threads = 0;
  const processes: TreeSample['processes'] = [];
  for (const p of tree(pid)) {
    try {
      const rss = statusField(p, 'VmRSS');
      const t = statusField(p, 'Threads');
      rssKb += rss;
      threads += t;
      processes.push({ pid: p, rssMb: rss / 1024, threads: t, command: commandOf(p) });
    } catch {
      if (p === pid) return null;
    }
  }
  return { rssMb: rssKb / 1024, threads, processes };
}
