/**
 * Baseline (b): runs bench/baselines/sympy_grader.py (a naive Python sympy grader) over a dataset, when
 * `python3 -c 'import sympy'` works. Items/s and per-item ms are the script's own, measured in Python
 * around each item, after its warm-up, excluding interpreter start-up and the sympy import.
 */
import { spawnSync } from 'node:child_process';
import type { LabelledPair } from '../../scripts/data/math-cases.ts';

const SCRIPT = new URL('./sympy_grader.py', import.meta.url);

export interface SympyRun {
  correct: boolean[];
  ms: number[];
  statuses: Record<string, number>;
  perSecond: number;
  version: string;
}

/** The sympy version when python3 can import it, else null. */
export function sympyAvailable(): string | null {
  const r = spawnSync('python3', ['-c', 'import sympy; print(sympy.__version__)'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

/** Grades `pairs` in one python3 process; null (with the reason on stderr) if it fails or exceeds `limitMs`. */
export function runSympyGrader(pairs: LabelledPair[], limitMs = 60_000): SympyRun | null {
  const input = pairs
    .map((p) => JSON.stringify({ gold: p.gold, pred: p.pred, expected: p.expected }))
    .join('\n');
  const r = spawnSync('python3', [SCRIPT.pathname], {
    input,
    encoding: 'utf8',
    timeout: limitMs,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) {
    console.error(
      `sympy baseline failed (${r.error?.message ?? `exit ${r.status}`}): ${r.stderr.slice(-500)}`,
    );
    return null;
  }
  const run: SympyRun = { correct: [], ms: [], statuses: {}, perSecond: Number.NaN, version: '?' };
  for (const line of r.stdout.split('\n')) {
    if (!line.trim()) continue;
    const row = JSON.parse(line);
    if (row.summary) {
      run.perSecond = row.summary.items / row.summary.wall_s;
      run.version = row.summary.sympy;
      continue;
    }
    run.correct[row.i] = row.correct;
    run.ms[row.i] = row.ms;
    run.statuses[row.status] = (run.statuses[row.status] ?? 0) + 1;
  }
  return run;
}
