/** A data set could not be fetched or was refused; the message says which file and why. */
export class DataFetchError extends Error {
  override name = 'DataFetchError';
}
