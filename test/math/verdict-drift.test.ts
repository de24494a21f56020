/**
 * The math part of `npm run check:verdicts` in `npm test`: every verdict on the labelled math data is the
 * one in the committed snapshot (test/fixtures/verdicts/math.jsonl). A change of extraction or comparison
 * shows here item by item; when every change is intended, rewrite the snapshot with
 * `npm run check:verdicts -- --only math --update` (seconds). The code part runs in the npm script only
 * (the sandboxes take minutes).
 */
import { describe, expect, it } from 'vitest';
import { mathVerdicts } from '../../scripts/verdicts/math.ts';
import { drift, readSnapshot, snapshotFile } from '../../scripts/verdicts/snapshot.ts';
import { needData } from '../helpers/data.ts';

const DATA = needData('the math verdicts against the snapshot', 'math', 'benchmarks');

describe.skipIf(!DATA.has())('math verdicts against the snapshot', () => {
  it('no verdict drifted (status, correct, extracted of every labelled item)', async () => {
    const snapshot = readSnapshot(snapshotFile('math'));
    expect(snapshot.length).toBeGreaterThan(4000);
    const changes = drift(snapshot, await mathVerdicts());
    expect(changes, 'if intended: npm run check:verdicts -- --only math --update').toEqual([]);
  });
});
