/** Rows of the code data files (code/ of the public data sets, found by scripts/data-dir.ts), read in place. */
import { readFileSync } from 'node:fs';
import { dataPath } from '../data-dir.ts';

export type Row = Record<string, unknown>;

const read = new Map<string, Row[]>();

/** The rows of `file`, read on first use (importing this module never touches the data). */
export function readRows(file: string): Row[] {
  let rows = read.get(file);
  if (rows === undefined) {
    rows = readFileSync(dataPath(`code/${file}`), 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as Row);
    read.set(file, rows);
  }
  return rows;
}
