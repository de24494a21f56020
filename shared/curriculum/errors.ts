/** A mistake in curate's inputs (spec, dataset, pass rates); the message names the file, row and field. */
export class InputError extends Error {
  readonly code = 'INPUT';
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}
