import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { findData } from '../../scripts/data-dir.ts';
import { hostileParquet } from '../curriculum/hostile-parquet.ts';

/**
 * A local file server for http(s) sources, hostile ones included:
 *   /<any>/aime24.jsonl      the AIME 2024 benchmark file (404 without the public data sets)
 *   /<any>/hostile.parquet   ~100 bytes whose one row group claims 60M rows (a heap-exhausting read)
 *   /<any>/endless.jsonl     JSONL lines without end and without a content-length
 *   /<any>/redirect?to=URL   a redirect (302, or ?status=) to URL, a path on this server or another URL
 *   /<any>/loop              a 302 to itself
 * It counts the bytes it sent from endless.jsonl, so a test can see the download was stopped.
 */
export async function startSourceServer(): Promise<{
  url: string;
  endlessBytesSent(): number;
  close(): Promise<void>;
}> {
  const aimeFile = findData(join('benchmarks', 'aime24.jsonl'));
  const aime = aimeFile === undefined ? undefined : await readFile(aimeFile);
  const hostile = hostileParquet(60_000_000);
  let endlessSent = 0;
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const name = url.pathname.split('/').at(-1);
    if (name === 'redirect') {
      const status = Number(url.searchParams.get('status') ?? 302);
      res.writeHead(status, { location: url.searchParams.get('to') ?? '/' });
      return res.end();
    }
    if (name === 'loop') {
      res.writeHead(302, { location: url.pathname });
      return res.end();
    }
    if (name === 'aime24.jsonl' && aime) return res.end(aime);
    if (name === 'hostile.parquet') return res.end(hostile);
    if (name === 'endless.jsonl') {
      const line = Buffer.from(`${JSON.stringify({ id: 'x', problem: 'p'.repeat(1000), answer: '1' })}\n`);
      const chunk = Buffer.concat(Array.from({ length: 64 }, () => line));
      const write = () => {
        while (!res.destroyed && endlessSent < 1024 ** 3) {
          endlessSent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', write);
        }
        res.end();
      };
      return write();
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    endlessBytesSent: () => endlessSent,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
