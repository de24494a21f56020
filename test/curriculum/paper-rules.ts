import { createHash } from 'node:crypto';

/**
 * The paper's level rules (arXiv 2504.00829, section 3.2.1), written out again for the tests from
 * paper.md, independently of shared/curriculum: plain comparisons, no rule language.
 *
 * The choices the preset documents: "fails" = p32 == 0, "solves" = p32 > 0, the L3 share kept is
 * sha256(seed NUL "L3" NUL id), top 52 bits as a fraction, below 0.5 (math) or 0.1 (code).
 */

export interface PaperRates {
  p15: number;
  p7: number;
  p32: number;
  pR1: number;
}

const open01 = (p: number) => p > 0 && p < 1;

export function l3Draw(id: string, seed: number): number {
  const d = createHash('sha256').update(`${seed}\u0000L3\u0000${id}`).digest();
  return ((d.readUInt32BE(0) >>> 12) * 2 ** 32 + d.readUInt32BE(4)) / 2 ** 52;
}

/** The levels of one problem, or 'filtered' when R1 never solves it. */
export function paperLevels(r: PaperRates, ability: string, id: string, seed: number): string[] | 'filtered' {
  if (!(r.pR1 > 0)) return 'filtered';
  const levels: string[] = [];
  if (open01(r.p15)) levels.push('L1');
  const groupA = r.p15 === 0 && r.p7 === 1;
  const groupB = r.p15 === 0 && open01(r.p7);
  const groupC = open01(r.p15) && open01(r.p7);
  if (groupA || groupB || groupC) levels.push('L2');
  const share = ability === 'math' ? 0.5 : ability === 'code' ? 0.1 : 1;
  if (r.p32 === 0 || (r.p32 > 0 && l3Draw(id, seed) < share)) levels.push('L3');
  return levels;
}

/** The branch tags the paper preset gives each group: L2a/b/c, L3-fail, L3-solved-kept. */
export function paperTags(r: PaperRates, ability: string, id: string, seed: number): string[] {
  if (!(r.pR1 > 0)) return [];
  const tags: string[] = [];
  if (r.p15 === 0 && r.p7 === 1) tags.push('L2a');
  if (r.p15 === 0 && open01(r.p7)) tags.push('L2b');
  if (open01(r.p15) && open01(r.p7)) tags.push('L2c');
  const share = ability === 'math' ? 0.5 : ability === 'code' ? 0.1 : 1;
  if (r.p32 === 0) tags.push('L3-fail');
  if (r.p32 > 0 && l3Draw(id, seed) < share) tags.push('L3-solved-kept');
  return tags;
}
