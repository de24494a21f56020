/**
 * HuggingFace Math-Verify, measured in the same run: ../shared/peers/math-verify/score.py in one python3
 * process (see that folder's README), `--mode boxed` as verl calls it (gold wrapped in \boxed{}, the response
 * parsed with expression and LaTeX extraction). Per-item ms are the script's own: parse + verify of the item,
 * timed in Python, excluding interpreter start-up and imports.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The peer's folder: MATH_VERIFY_DIR, else ../shared/peers/math-verify beside the checkout. */
export const MATH_VERIFY_DIR =
  process.env.MATH_VERIFY_DIR ?? resolve(import.meta.dirname, '../../../shared/peers/math-verify');

export interface PeerPair {
  gold: string;
  pred: string;
}

export interface MathVerifyRun {
  correct: boolean[];
  ms: number[];
  errors: number;
}

/** Why Math-Verify cannot run here, or null when it can. */
export function mathVerifyMissing(): string | null {
  if (!existsSync(join(MATH_VERIFY_DIR, 'score.py'))) return `no ${MATH_VERIFY_DIR}/score.py`;
  const r = spawnSync('python3', ['-c', 'import math_verify, sympy'], {
    encoding: 'utf8',
    env: { ...process.env, PYTHONPATH: join(MATH_VERIFY_DIR, 'src') },
  });
  return r.status === 0 ? null : `python3 cannot import math_verify: ${r.stderr.trim().split('\n').at(-1)}`;
}

/**
 * Scores `passes` rounds of `pairs` in one python3 process; each round's per-item results, in order.
 * A first round makes a warm-up the caller can drop. Null (reason on stderr) when the process fails.
 */
export function runMathVerify(pairs: PeerPair[], passes: number, limitMs = 120_000): MathVerifyRun[] | null {
  const one = pairs.map((p) => JSON.stringify({ gold: p.gold, pred: p.pred })).join('\n');
  const input = Array.from({ length: passes }, () => one).join('\n');
  const r = spawnSync('python3', [join(MATH_VERIFY_DIR, 'score.py'), '--mode', 'boxed'], {
    input,
    encoding: 'utf8',
    timeout: limitMs,
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, PYTHONPATH: join(MATH_VERIFY_DIR, 'src'), PYTHONDONTWRITEBYTECODE: '1' },
  });
  if (r.status !== 0) {
    console.error(`Math-Verify failed (${r.error?.message ?? `exit ${r.status}`}): ${r.stderr.slice(-500)}`);
    return null;
  }
  const rows = r.stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as { ok: boolean; ms: number; error?: string });
  if (rows.length !== pairs.length * passes) {
    console.error(`Math-Verify answered ${rows.length} lines for ${pairs.length * passes} items`);
    return null;
  }
  const runs: MathVerifyRun[] = [];
  for (let p = 0; p < passes; p++) {
    const slice = rows.slice(p * pairs.length, (p + 1) * pairs.length);
    runs.push({
      correct: slice.map((x) => x.ok),
      ms: slice.map((x) => x.ms),
      errors: slice.filter((x) => x.error !== undefined).length,
    });
  }
  return runs;
}
