import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { checkKey, checkPrefix, joinKey } from './keys.ts';
import { checkRange, downloadTo, notFound } from './local.ts';
import {
  defaultS3ClientFactory,
  resolveS3Options,
  type S3ClientFactory,
  type S3ConnectionOptions,
} from './s3-client.ts';
import { parseS3Url } from './s3-url.ts';
import { type Body, type ObjectInfo, type Storage, StorageError } from './types.ts';

export { parseS3Url };

export interface S3StorageOptions extends S3ConnectionOptions {
  /** A ready client (wins over `clientFactory`). */
  client?: S3Client;
  clientFactory?: S3ClientFactory;
  /** Multipart part size for `uploadFile` (default 8 MiB; S3's minimum is 5 MiB). */
  partSize?: number;
  /** Parts uploaded at once (default 4). */
  queueSize?: number;
}

/** Storage under an S3 prefix: key `a/b.json` is the object `<prefix>/a/b.json` in the bucket. */
export class S3Storage implements Storage {
  readonly url: string;
  readonly bucket: string;
  readonly prefix: string;
  readonly client: S3Client;
  private readonly partSize: number;
  private readonly queueSize: number;

  constructor(url: string, options: S3StorageOptions = {}) {
    const { bucket, prefix } = parseS3Url(url);
    this.bucket = bucket;
    this.prefix = prefix;
    this.url = prefix === '' ? `s3://${bucket}` : `s3://${bucket}/${prefix}`;
    this.client =
      options.client ?? (options.clientFactory ?? defaultS3ClientFactory)(resolveS3Options(options));
    this.partSize = options.partSize ?? 8 * 1024 * 1024;
    this.queueSize = options.queueSize ?? 4;
  }

  private objectKey(key: string): string {
    return joinKey(this.prefix, checkKey(key));
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    const stream = await this.getBody(key);
    if (stream === undefined) return undefined;
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    return new Uint8Array(Buffer.concat(chunks));
  }

  async getText(key: string): Promise<string | undefined> {
    const bytes = await this.get(key);
    return bytes === undefined ? undefined : new TextDecoder().decode(bytes);
  }

  async readStream(key: string): Promise<Readable> {
    const stream = await this.getBody(key);
    if (stream === undefined) throw notFound(this.url, key);
    return stream;
  }

  async readRange(key: string, start: number, end: number): Promise<Uint8Array> {
    checkRange(start, end);
    if (end === start) {
      if ((await this.head(key)) === undefined) throw notFound(this.url, key);
      return new Uint8Array(0);
    }
    const stream = await this.getBody(key, `bytes=${start}-${end - 1}`);
    if (stream === undefined) throw notFound(this.url, key);
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    return new Uint8Array(Buffer.concat(chunks));
  }

  async put(key: string, body: Body): Promise<void> {
    const Key = this.objectKey(key);
    await this.send(`write ${key}`, () =>
      this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key, Body: body })),
    );
  }

  async putIfAbsent(key: string, body: Body): Promise<boolean> {
    const Key = this.objectKey(key);
    const command = new PutObjectCommand({ Bucket: this.bucket, Key, Body: body, IfNoneMatch: '*' });
    // 409 ConditionalRequestConflict: another conditional write of the key is in flight; S3 asks for a retry.
    for (let attempt = 0; ; attempt++) {
      try {
        await this.client.send(command);
        return true;
      } catch (err) {
        const status = httpStatus(err);
        if (status === 412) return false;
        if (status === 409 && attempt < 4) {
          await new Promise((done) => setTimeout(done, 50 * 2 ** attempt));
          continue;
        }
        throw backendError(`write ${key}`, err);
      }
    }
  }

  async uploadFile(key: string, localPath: string): Promise<void> {
    const Key = this.objectKey(key);
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key, Body: createReadStream(localPath) },
      partSize: this.partSize,
      queueSize: this.queueSize,
      leavePartsOnError: false,
    });
    await this.send(`upload ${localPath} to ${key}`, () => upload.done());
  }

  async downloadFile(key: string, localPath: string): Promise<void> {
    await downloadTo(await this.readStream(key), localPath);
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    const Key = this.objectKey(key);
    try {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key }));
      return { key, size: out.ContentLength ?? 0, modified: out.LastModified };
    } catch (err) {
      if (httpStatus(err) === 404) return undefined;
      throw backendError(`stat ${key}`, err);
    }
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    checkPrefix(prefix);
    const root = this.prefix === '' ? '' : `${this.prefix}/`;
    let ContinuationToken: string | undefined;
    do {
      const page = await this.send(`list ${prefix || '/'}`, () =>
        this.client.send(
          new ListObjectsV2Command({ Bucket: this.bucket, Prefix: root + prefix, ContinuationToken }),
        ),
      );
      for (const object of page.Contents ?? []) {
        if (!object.Key?.startsWith(root)) continue;
        yield { key: object.Key.slice(root.length), size: object.Size ?? 0, modified: object.LastModified };
      }
      ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (ContinuationToken);
  }

  async delete(key: string): Promise<void> {
    const Key = this.objectKey(key);
    await this.send(`delete ${key}`, () =>
      this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key })),
    );
  }

  private async getBody(key: string, Range?: string): Promise<Readable | undefined> {
    const Key = this.objectKey(key);
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key, Range }));
      return out.Body as Readable;
    } catch (err) {
      if (httpStatus(err) === 404) return undefined;
      // A range starting past the end: answer like a short read of a local file.
      if (httpStatus(err) === 416) return Readable.from([]);
      throw backendError(`read ${key}`, err);
    }
  }

  private async send<T>(what: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      throw backendError(what, err);
    }
  }
}

function httpStatus(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
}

function backendError(what: string, err: unknown): StorageError {
  const name = (err as { name?: string } | undefined)?.name;
  const message = err instanceof Error ? err.message : String(err);
  const detail = name && name !== 'Error' && !message.includes(name) ? `${name}: ${message}` : message;
  return new StorageError('BACKEND', `could not ${what}: ${detail}`, { cause: err });
}
