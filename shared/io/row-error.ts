/** Where a record sits: the file (path or URL) and its 1-based row (the line number for JSONL). */
export interface RecordPlace {
  file: string;
  row: number;
}

/**
 * A bad row or rows file; the message names the file, the row and, when known, the field
 * (`data.jsonl row 3, field prompt.0.content: expected string`). For JSONL the row is the line number.
 */
export class RowError extends Error {
  readonly code = 'INPUT';
  readonly file: string;
  readonly row: number | undefined;
  readonly field: string | undefined;
  /** The message without the place. */
  readonly problem: string;

  constructor(problem: string, place: { file: string; row?: number; field?: string }) {
    const where = [place.file, place.row === undefined ? undefined : `row ${place.row}`]
      .filter(Boolean)
      .join(' ');
    const field = place.field ? `, field ${place.field}` : '';
    super(`${where}${field}: ${problem}`);
    this.name = 'RowError';
    this.file = place.file;
    this.row = place.row;
    this.field = place.field;
    this.problem = problem;
  }
}
