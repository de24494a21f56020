import { createHash } from 'node:crypto';

/**
 * A number in [0, 1) fixed by (seed, salt, id): the same problem gets the same draw on every run with
 * the same seed, independent of row order, and unrelated draws across salts (levels, stages).
 */
export function hashUnit(id: string, seed: number, salt: string): number {
  const digest = createHash('sha256').update(`${seed}\u0000${salt}\u0000${id}`).digest();
  // 52 bits fit a double exactly.
  const hi = digest.readUInt32BE(0) >>> 12;
  const lo = digest.readUInt32BE(4);
  return (hi * 2 ** 32 + lo) / 2 ** 52;
}

/** Keeps a problem with probability `share`, deterministically. */
export function keepByHash(id: string, share: number, seed: number, salt: string): boolean {
  if (share >= 1) return true;
  if (share <= 0) return false;
  return hashUnit(id, seed, salt) < share;
}
