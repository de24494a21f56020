import { InputError } from '../errors.ts';

/** Where a record sits: the file (path or URL) and its 1-based row (the line number for JSONL). */
export interface RecordPlace {
  file: string;
  row: number;
}

/** A bad dataset record or file; the message names the file, the row and, when known, the field. */
export class DatasetError extends InputError {
  readonly file: string;
  readonly row: number | undefined;
  readonly field: string | undefined;

  constructor(problem: string, place: { file: string; row?: number; field?: string }) {
    const where = [place.file, place.row === undefined ? undefined : `row ${place.row}`]
      .filter(Boolean)
      .join(' ');
    const field = place.field ? `, field ${place.field}` : '';
    super(`${where}${field}: ${problem}`);
    this.name = 'DatasetError';
    this.file = place.file;
    this.row = place.row;
    this.field = place.field;
  }
}
