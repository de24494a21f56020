import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import { S3Storage, type S3StorageOptions } from '../../shared/storage/s3.ts';

/** A real S3-protocol server (s3rver) on a free port, with data in a temporary folder. */
export interface LocalS3 {
  endpoint: string;
  bucket: string;
  /** The s3rver instance, e.g. to listen for its `event`s. */
  server: S3rver;
  /** Connection settings that work against it (path style, WHEN_REQUIRED checksums, dummy keys). */
  connection: S3StorageOptions;
  /** A storage under `s3://<bucket>/<prefix>`; each call gets its own client. */
  storage(prefix?: string, options?: S3StorageOptions): S3Storage;
  stop(): Promise<void>;
}

let counter = 0;

/** Starts s3rver with one bucket (default `gradus-test`). Call `stop()` in `afterAll`. */
export async function startLocalS3(bucket = 'gradus-test'): Promise<LocalS3> {
  const directory = await mkdtemp(join(tmpdir(), 'gradus-s3rver-'));
  const server = new S3rver({
    port: 0,
    address: '127.0.0.1',
    silent: true,
    directory,
    configureBuckets: [{ name: bucket }],
  });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const connection: S3StorageOptions = {
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    checksums: 'when_required',
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  };
  const clients: S3Storage[] = [];
  return {
    endpoint,
    bucket,
    server,
    connection,
    storage(prefix = `t${++counter}`, options = {}) {
      const storage = new S3Storage(prefix === '' ? `s3://${bucket}` : `s3://${bucket}/${prefix}`, {
        ...connection,
        ...options,
      });
      clients.push(storage);
      return storage;
    },
    async stop() {
      for (const storage of clients) storage.client.destroy();
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
