/**
 * npm run check:verdicts [-- --only math|code] [--update]
 *
 * Scores every labelled item of the data sets that ./data-dir.ts finds (math: ./verdicts/math.ts, seconds;
 * code: the canonical and wrong solutions through the sandboxes, ./verdicts/code.ts, minutes) and compares each verdict
 * (status, correct, extracted) with the committed snapshot in test/fixtures/verdicts/. Every change is
 * printed item by item and the exit code is 1, so a change of extraction or comparison is seen and
 * chosen; `--update` writes the new verdicts as the snapshot instead.
 */
import { parseArgs } from 'node:util';
import { codeVerdicts } from './verdicts/code.ts';
import { hasData, MISSING_DATA } from './verdicts/data.ts';
import { mathVerdicts } from './verdicts/math.ts';
import { drift, readSnapshot, snapshotFile, type VerdictLine, writeSnapshot } from './verdicts/snapshot.ts';

const { values } = parseArgs({
  options: { only: { type: 'string' }, update: { type: 'boolean', default: false } },
});
const only = values.only;
if (only !== undefined && only !== 'math' && only !== 'code') {
  console.error(`--only takes math or code, not ${only}`);
  process.exit(2);
}
if (!hasData()) {
  console.log(`check:verdicts skipped: ${MISSING_DATA}`);
  process.exit(0);
}

const parts: Array<{ name: 'math' | 'code'; score: () => Promise<VerdictLine[]> }> = [
  { name: 'math', score: mathVerdicts },
  {
    name: 'code',
    score: () =>
      codeVerdicts((done, total) => {
        if (done % 100 === 0 || done === total) process.stderr.write(`code: ${done}/${total}\n`);
      }),
  },
];

let drifted = false;
for (const part of parts) {
  if (only !== undefined && part.name !== only) continue;
  const started = performance.now();
  const current = await part.score();
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const file = snapshotFile(part.name);
  if (values.update) {
    writeSnapshot(file, current);
    console.log(`${part.name}: ${current.length} verdicts written to ${file.pathname} (${seconds} s)`);
    continue;
  }
  const changes = drift(readSnapshot(file), current);
  if (changes.length === 0) {
    console.log(`${part.name}: ${current.length} verdicts, as in the snapshot (${seconds} s)`);
    continue;
  }
  drifted = true;
  console.log(
    `${part.name}: ${changes.length} of ${current.length} verdicts differ from the snapshot (${seconds} s):`,
  );
  for (const change of changes) console.log(`  ${change}`);
}
if (drifted) {
  console.log(
    'Check each change; if every one is intended: npm run check:verdicts -- --update (with --only to limit it)',
  );
  process.exit(1);
}
