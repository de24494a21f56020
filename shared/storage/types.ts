import type { Readable } from 'node:stream';

/** One stored object, as listed. Keys are relative to the storage root and use `/` separators. */
export interface ObjectInfo {
  key: string;
  size: number;
  /** Last-modified time, where the backend knows it. */
  modified?: Date;
}

export type Body = string | Uint8Array;

/**
 * Datasets, manifests and checkpoints live behind this one interface: a local directory
 * (`./.gradus/` by default, or any path / `file://` URL) or an S3 prefix (`s3://bucket/prefix`).
 *
 * Every `put` is atomic: a reader sees the old object, the new one or none, never half of one
 * (local disk writes a temporary file and renames it; an S3 PUT is atomic by nature).
 */
export interface Storage {
  /** The root this storage was opened on, e.g. `file:///home/me/.gradus` or `s3://bucket/runs`. */
  readonly url: string;
  /** The object's bytes, or `undefined` when there is no such key. */
  get(key: string): Promise<Uint8Array | undefined>;
  /** The object's text (UTF-8), or `undefined` when there is no such key. */
  getText(key: string): Promise<string | undefined>;
  /** A stream of the object's bytes; rejects with a `StorageError` (code NOT_FOUND) when missing. */
  readStream(key: string): Promise<Readable>;
  /**
   * Bytes `start` (inclusive) to `end` (exclusive) of an object, for formats read by random access
   * (Parquet footers and row groups). Optional so other implementations stay valid; both built-in
   * backends have it. Rejects with NOT_FOUND when missing.
   */
  readRange?(key: string, start: number, end: number): Promise<Uint8Array>;
  /** Writes the whole object atomically. */
  put(key: string, body: Body): Promise<void>;
  /**
   * Writes only when no object has the key: `true` when this call created it, `false` when it already
   * existed. Local disk: O_EXCL. S3: `If-None-Match: *` (a 412 means "already there").
   */
  putIfAbsent(key: string, body: Body): Promise<boolean>;
  /** Streams a local file up (multipart on S3 for large files); atomic like `put`. */
  uploadFile(key: string, localPath: string): Promise<void>;
  /** Streams an object down to a local file (written to a temporary name, then renamed). */
  downloadFile(key: string, localPath: string): Promise<void>;
  /** Size and time of one object, or `undefined` when missing. */
  head(key: string): Promise<ObjectInfo | undefined>;
  /** Every object whose key starts with `prefix`, in key order. */
  list(prefix: string): AsyncIterable<ObjectInfo>;
  delete(key: string): Promise<void>;
}

export type StorageErrorCode = 'NOT_FOUND' | 'INVALID_URL' | 'INVALID_KEY' | 'BACKEND';

export class StorageError extends Error {
  readonly code: StorageErrorCode;
  constructor(code: StorageErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StorageError';
    this.code = code;
  }
}
