/** A benchmark or responses file that could not be read: names the file, and the line, row or field. */
export class LoadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LoadError';
  }
}

/** A plan that cannot run as given (unknown benchmark or preset, changed settings over a journal). */
export class PlanError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PlanError';
  }
}
