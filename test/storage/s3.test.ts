import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openObject, openStorage } from '../../shared/storage/index.ts';
import { parseS3Url, S3Storage } from '../../shared/storage/s3.ts';
import {
  defaultS3ClientFactory,
  resolveS3Options,
  type S3ConnectionOptions,
} from '../../shared/storage/s3-client.ts';
import { type LocalS3, startLocalS3 } from '../helpers/s3rver.ts';
import { storageContract } from './contract.ts';

let s3: LocalS3;
let scratch: string;
beforeAll(async () => {
  s3 = await startLocalS3();
  scratch = await mkdtemp(join(tmpdir(), 'gradus-s3-test-'));
});
afterAll(async () => {
  await s3?.stop();
  await rm(scratch, { recursive: true, force: true });
});

storageContract('s3rver', () => s3.storage(), {
  overwriteNotAtomicBecause:
    's3rver truncates and rewrites the object file in place; a real S3 PUT is atomic',
});

describe('S3 storage against s3rver', () => {
  it('keeps two prefixes of one bucket apart', async () => {
    const a = s3.storage('iso/a');
    const b = s3.storage('iso/ab');
    await a.put('x.txt', 'from a');
    await b.put('x.txt', 'from ab');
    expect(await a.getText('x.txt')).toBe('from a');
    const keys: string[] = [];
    for await (const o of a.list('')) keys.push(o.key);
    expect(keys).toEqual(['x.txt']);
  });

  it('uploads a 20 MB file in parts and reads back the same sha256', async () => {
    const storage = s3.storage('multipart', { partSize: 5 * 1024 * 1024, queueSize: 4 });
    const events: string[] = [];
    const onEvent = (e: { Records: { eventName: string; s3: { object: { key: string } } }[] }) => {
      for (const r of e.Records) if (r.s3.object.key === 'multipart/big.bin') events.push(r.eventName);
    };
    s3.server.on('event', onEvent);
    const content = randomBytes(20 * 1024 * 1024);
    const source = join(scratch, 'big.bin');
    await writeFile(source, content);
    await storage.uploadFile('big.bin', source);
    s3.server.off('event', onEvent);
    // s3rver reports a completed multipart upload as ObjectCreated:Post (a single PUT is ObjectCreated:Put).
    expect(events).toEqual(['ObjectCreated:Post']);
    const target = join(scratch, 'big-back.bin');
    await storage.downloadFile('big.bin', target);
    const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
    expect(sha(await readFile(target))).toBe(sha(content));
    expect((await storage.head('big.bin'))?.size).toBe(content.length);
  });

  it('publishes a manifest with one PutObject request (atomic on S3), never a multipart upload', async () => {
    const storage = s3.storage('publish');
    const commands: string[] = [];
    storage.client.middlewareStack.add(
      (next, context) => async (args) => {
        commands.push(context.commandName ?? '?');
        return next(args);
      },
      { step: 'initialize', name: 'captureCommands' },
    );
    await storage.put(
      'run/manifest.json',
      JSON.stringify({ files: Array.from({ length: 300_000 }, (_, i) => i) }),
    );
    expect(commands).toEqual(['PutObjectCommand']);
  });

  it('putIfAbsent sends If-None-Match: * on the wire', async () => {
    const storage = s3.storage('conditional');
    const seen: Record<string, string>[] = [];
    storage.client.middlewareStack.add(
      (next) => async (args) => {
        seen.push({ ...(args.request as { headers: Record<string, string> }).headers });
        return next(args);
      },
      { step: 'finalizeRequest', name: 'captureHeaders' },
    );
    expect(await storage.putIfAbsent('stage-1/claim', 'me')).toBe(true);
    expect(seen.at(-1)?.['if-none-match']).toBe('*');
    await storage.put('stage-1/plain', 'x');
    expect(seen.at(-1)?.['if-none-match']).toBeUndefined();
  });

  it('opens s3:// URLs through openStorage and openObject with the same connection settings', async () => {
    const storage = openStorage(`s3://${s3.bucket}/opened`, { s3: s3.connection });
    await storage.put('data/x.jsonl', '{}\n');
    const { storage: folder, key } = openObject(`s3://${s3.bucket}/opened/data/x.jsonl`, {
      s3: s3.connection,
    });
    expect(folder.url).toBe(`s3://${s3.bucket}/opened/data`);
    expect(key).toBe('x.jsonl');
    expect(await folder.getText(key)).toBe('{}\n');
  });

  it('a missing bucket is a BACKEND error that names the problem', async () => {
    const storage = new S3Storage('s3://no-such-bucket/x', s3.connection);
    await expect(storage.put('a', 'b')).rejects.toMatchObject({
      code: 'BACKEND',
      message: /NoSuchBucket|bucket/i,
    });
    storage.client.destroy();
  });
});

/** A stand-in S3 endpoint answering every PUT with a fixed status, to see how the client reads it. */
describe("putIfAbsent reads the server's answer", () => {
  let server: Server;
  let status = 412;
  let lastHeaders: IncomingHttpHeaders = {};
  beforeAll(async () => {
    server = createServer((req, res) => {
      lastHeaders = req.headers;
      req.resume();
      req.on('end', () => {
        const code =
          status === 412
            ? 'PreconditionFailed'
            : status === 409
              ? 'ConditionalRequestConflict'
              : 'InternalError';
        res.writeHead(status, { 'content-type': 'application/xml' });
        res.end(
          `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${code}</Message></Error>`,
        );
      });
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  });
  afterAll(() => new Promise<void>((done) => server.close(() => done())));

  const storage = () =>
    new S3Storage('s3://bucket/p', {
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      forcePathStyle: true,
      checksums: 'when_required',
      credentials: { accessKeyId: 'k', secretAccessKey: 's' },
    });

  it('412 Precondition Failed means "already claimed": false, not an error', async () => {
    status = 412;
    expect(await storage().putIfAbsent('stage-1/claim', 'me')).toBe(false);
    expect(lastHeaders['if-none-match']).toBe('*');
  });

  it('a server error is a BACKEND error, not a claim', async () => {
    status = 500;
    await expect(storage().putIfAbsent('stage-1/claim', 'me')).rejects.toMatchObject({ code: 'BACKEND' });
  });
});

describe('S3 URLs and settings', () => {
  it('parses bucket and prefix', () => {
    expect(parseS3Url('s3://b')).toEqual({ bucket: 'b', prefix: '' });
    expect(parseS3Url('s3://b/runs/x/')).toEqual({ bucket: 'b', prefix: 'runs/x' });
    expect(() => parseS3Url('s3:///x')).toThrow(/s3:\/\/bucket/);
    expect(() => parseS3Url('s3://b/../x')).toThrow(/"\.\."/);
  });

  it('a custom endpoint from the environment turns on path style and WHEN_REQUIRED checksums', () => {
    expect(resolveS3Options({}, { GRADUS_S3_ENDPOINT: 'http://minio:9000' })).toMatchObject({
      endpoint: 'http://minio:9000',
      forcePathStyle: true,
      checksums: 'when_required',
      region: 'us-east-1',
    });
    expect(resolveS3Options({}, {})).toMatchObject({
      endpoint: undefined,
      forcePathStyle: false,
      checksums: undefined,
    });
    expect(
      resolveS3Options(
        { forcePathStyle: false },
        { GRADUS_S3_ENDPOINT: 'http://x', GRADUS_S3_CHECKSUMS: 'WHEN_SUPPORTED' },
      ),
    ).toMatchObject({
      forcePathStyle: false,
      checksums: 'when_supported',
    });
    expect(() => resolveS3Options({}, { GRADUS_S3_CHECKSUMS: 'sometimes' })).toThrow(/GRADUS_S3_CHECKSUMS/);
  });

  it('builds its client with the given factory from the resolved settings', async () => {
    const seen: S3ConnectionOptions[] = [];
    const storage = new S3Storage(`s3://${s3.bucket}/factory`, {
      endpoint: s3.endpoint,
      credentials: s3.connection.credentials,
      clientFactory: (options) => {
        seen.push(options);
        return defaultS3ClientFactory(options);
      },
    });
    expect(seen).toEqual([
      expect.objectContaining({ endpoint: s3.endpoint, forcePathStyle: true, checksums: 'when_required' }),
    ]);
    await storage.put('x.txt', 'through the factory client');
    expect(await s3.storage('factory').getText('x.txt')).toBe('through the factory client');
    storage.client.destroy();
  });

  it('openStorage refuses unknown schemes', () => {
    expect(() => openStorage('gs://bucket/x')).toThrow(/unsupported storage URL/);
  });
});
