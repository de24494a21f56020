/** Rows of the code data files in ../shared/data/code, read in place. */
import { readFileSync } from 'node:fs';

export const CODE_DATA_DIR = new URL('../../../shared/data/code/', import.meta.url);

export type Row = Record<string, unknown>;

export function readRows(file: string): Row[] {
  return readFileSync(new URL(file, CODE_DATA_DIR), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Row);
}
