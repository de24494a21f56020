import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { urlAllowed } from '../../shared/eval/access.ts';
import { loadRows } from '../../shared/eval/load.ts';
import { needData } from '../helpers/data.ts';
import { startSourceServer } from './source-server.ts';

const BENCHMARKS = needData('the redirect test, which serves aime24.jsonl', 'benchmarks');

let src: Awaited<ReturnType<typeof startSourceServer>>;
beforeAll(async () => {
  src = await startSourceServer();
});
afterAll(async () => {
  await src?.close();
});

describe('reading an http(s) source', () => {
  it('stops a download without a content-length once it passes the size cap', async () => {
    const maxBytes = 1024 ** 2;
    await expect(loadRows(`${src.url}/a/endless.jsonl`, { maxBytes })).rejects.toThrow(
      /endless\.jsonl: larger than 1048576 bytes/,
    );
    // The server could write ahead into socket buffers, but nowhere near its 1 GiB.
    expect(src.endlessBytesSent()).toBeLessThan(64 * 1024 ** 2);
  });

  it.skipIf(!BENCHMARKS.has())(
    'follows redirects one by one and checks every target against the allow-list',
    async () => {
      const allowed = [`${src.url}/ok/`];
      const inside = `${src.url}/ok/redirect?to=/ok/aime24.jsonl`;
      expect((await loadRows(inside, { allowed })).length).toBeGreaterThan(10);
      const outside = `${src.url}/ok/redirect?to=/private/aime24.jsonl`;
      await expect(loadRows(outside, { allowed })).rejects.toThrow(
        /redirected to http:\/\/127\.0\.0\.1:\d+\/private\/aime24\.jsonl, which is not an allowed source/,
      );
      await expect(loadRows(`${src.url}/private/aime24.jsonl`, { allowed })).rejects.toThrow(
        /not an allowed source/,
      );
      expect(urlAllowed(outside, allowed)).toBe(true);
    },
  );

  it('gives up on a redirect loop', async () => {
    await expect(loadRows(`${src.url}/a/loop`)).rejects.toThrow(/a\/loop: more than 5 redirects/);
  });
});
