/**
 * Soak (`npm run soak -- --minutes 10 [--rate 8] [--url http://127.0.0.1:8787]`): runs the reward server
 * as `npm start` does (or uses the one at --url), and for the chosen time sends honest math, Python and
 * JavaScript items mixed with every hostile family of bench/soak/requests.ts at a steady rate. Prints:
 * requests sent, honest verdicts checked right, non-429 errors (a 5xx, a dropped connection, or an honest
 * request not answered 200), p99 latency of honest requests, and the RSS and thread count of the server
 * and its sandbox children together at the start and the end (from /proc, so only for a server it
 * started). Exits 1 when an honest verdict was
 * wrong, any non-429 error happened, RSS grew by more than 300 MB, the server's own threads grew, or the
 * threads of the server and its children together grew by more than a replaced child's variation (2 per child).
 */
import { parseArgs } from 'node:util';
import { type ServerProcess, startServerProcess } from './server-process.ts';
import { sampleTree, type TreeSample } from './soak/process-tree.ts';
import { honestRequests, hostileRequests, type SoakRequest } from './soak/requests.ts';
import { fmt, percentile } from './stats.ts';

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    rate: { type: 'string', default: '8' },
    url: { type: 'string' },
    'max-in-flight': { type: 'string', default: '32' },
  },
});
const minutes = Number(args.minutes);
const rate = Number(args.rate);
const maxInFlight = Number(args['max-in-flight']);
if (!(minutes > 0) || !(rate > 0) || !(maxInFlight > 0)) {
  console.error('usage: npm run soak -- [--minutes N] [--rate requests/s] [--url URL] [--max-in-flight N]');
  process.exit(2);
}
const RSS_GROWTH_LIMIT_MB = 300;
/**
 * Sandbox children are replaced as they go, and a fresh Node process runs a few V8 platform threads more
 * or fewer (measured: a Python child 14-19, a JavaScript child 9-12): the tree may differ by this many
 * threads per child. A leaked isolate thread shows as the server's own count growing, or a child growing
 * past this, until the child is replaced.
 */
const THREAD_SLACK_PER_CHILD = 2;

/** Threads of the server process itself (the first of the tree). */
const serverThreads = (sample: TreeSample) => sample.processes[0]?.threads ?? Number.NaN;
// Longer than the server's longest item (the code item budget, 120 s): a slow answer is the server's to give.
const REQUEST_TIMEOUT_MS = 180_000;

interface Tally {
  sent: number;
  answered: number;
  busy: number;
  refused: number;
  honest: number;
  honestRight: number;
  errors: string[];
  honestMs: number[];
}

async function send(url: string, request: SoakRequest, tally: Tally): Promise<void> {
  tally.sent++;
  const t0 = performance.now();
  let status: number;
  let reply: unknown = null;
  try {
    const res = await fetch(url + request.path, {
      method: 'POST',
      headers: { 'content-type': request.contentType ?? 'application/json' },
      body: request.body,
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    status = res.status;
    const text = await res.text();
    try {
      reply = JSON.parse(text);
    } catch {
      reply = text;
    }
  } catch (err) {
    tally.errors.push(`${request.name}: ${err instanceof Error ? err.message : String(err)}`);
    return;
  }
  tally.answered++;
  if (status === 429) {
    tally.busy++;
    return;
  }
  if (status >= 500) {
    tally.errors.push(`${request.name}: HTTP ${status} ${JSON.stringify(reply).slice(0, 200)}`);
    return;
  }
  if (!request.check) {
    if (status >= 400) tally.refused++;
    return;
  }
  tally.honest++;
  tally.honestMs.push(performance.now() - t0);
  const wrong = request.check(status, reply);
  if (wrong === null) tally.honestRight++;
  else tally.errors.push(`${request.name}: ${wrong}`);
}

/** Honest and hostile requests interleaved: every other request is honest. */
function* schedule(): Generator<SoakRequest> {
  for (let i = 0; ; i++) {
    yield honestRequests[i % honestRequests.length] as SoakRequest;
    yield hostileRequests[i % hostileRequests.length] as SoakRequest;
  }
}

async function main(): Promise<void> {
  const server: Partial<ServerProcess> & { url: string } = args.url
    ? { url: args.url }
    : await startServerProcess();
  const pid = server.child?.pid;
  const tally: Tally = {
    sent: 0,
    answered: 0,
    busy: 0,
    refused: 0,
    honest: 0,
    honestRight: 0,
    errors: [],
    honestMs: [],
  };
  // Warm up: concurrent honest requests, so every pool (math workers, sandboxes of each language) has its
  // full size, then one request of every hostile family, so V8's heaps have grown to their working size
  // (they keep that high-water mark). The start sample after that makes the end-minus-start growth what
  // the soak itself left behind (a leak: a lost isolate held ~115 MB and a thread); the memory the warm-up
  // took is printed too.
  const beforeWarmUp = pid === undefined ? null : sampleTree(pid);
  const warm: Tally = { ...tally, errors: [], honestMs: [] };
  for (let round = 0; round < 3; round++) {
    const burst = honestRequests.flatMap((request) => Array.from({ length: 6 }, () => request));
    await Promise.all(burst.map((request) => send(server.url, request, warm)));
  }
  for (const request of hostileRequests) await send(server.url, request, warm);
  if (warm.errors.length > 0) tally.errors.push(...warm.errors.map((e) => `warm-up: ${e}`));
  await new Promise((r) => setTimeout(r, 2000));
  const start = pid === undefined ? null : sampleTree(pid);
  const startedAt = performance.now();
  const endAt = startedAt + minutes * 60_000;
  const next = schedule();
  const inFlight = new Set<Promise<void>>();
  let skipped = 0;
  let lastReport = performance.now();
  for (let tick = 0; performance.now() < endAt; tick++) {
    const wait = startedAt + tick * (1000 / rate) - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const request = next.next().value as SoakRequest;
    if (inFlight.size >= maxInFlight) {
      skipped++;
      continue;
    }
    const p = send(server.url, request, tally).finally(() => inFlight.delete(p));
    inFlight.add(p);
    if (performance.now() - lastReport > 60_000) {
      lastReport = performance.now();
      const now = pid === undefined ? null : sampleTree(pid);
      console.error(
        `${tally.sent} sent, ${tally.errors.length} errors, in flight ${inFlight.size}` +
          (now ? `, RSS ${fmt(now.rssMb, 0)} MB, ${now.threads} threads` : ''),
      );
    }
  }
  await Promise.all(inFlight);
  // Let the server settle (idle sandboxes recycled, GC) before the end sample.
  await new Promise((r) => setTimeout(r, 5000));
  const end = pid === undefined ? null : sampleTree(pid);
  if (server.stop && (await server.stop('SIGTERM', 15_000)) === null) {
    tally.errors.push('the server did not exit within 15 s of SIGTERM');
  }

  const rows: [string, string][] = [
    ['minutes', fmt(minutes, 1)],
    ['target rate (req/s)', fmt(rate, 1)],
    ['requests sent', String(tally.sent)],
    ['not sent (over max in flight)', String(skipped)],
    ['answered 429 BUSY', String(tally.busy)],
    ['hostile refused with a 4xx', String(tally.refused)],
    ['honest verdicts right', `${tally.honestRight} / ${tally.honest}`],
    ['non-429 errors', String(tally.errors.length)],
    [
      'honest p50 / p99 latency (ms)',
      `${fmt(percentile(tally.honestMs, 50), 0)} / ${fmt(percentile(tally.honestMs, 99), 0)}`,
    ],
    ['RSS before warm-up (MB)', beforeWarmUp ? fmt(beforeWarmUp.rssMb, 0) : '-'],
    ['RSS start → end (MB)', start && end ? `${fmt(start.rssMb, 0)} → ${fmt(end.rssMb, 0)}` : '-'],
    [
      'threads start → end (server; with children)',
      start && end
        ? `${serverThreads(start)} → ${serverThreads(end)}; ${start.threads} → ${end.threads}`
        : '-',
    ],
  ];
  for (const [when, at] of [
    ['start', start],
    ['end', end],
  ] as const) {
    for (const p of at?.processes ?? []) {
      console.error(`${when}: pid ${p.pid} ${Math.round(p.rssMb)} MB ${p.threads} threads ${p.command}`);
    }
  }
  console.log('| measure | value |\n| --- | --- |');
  for (const [k, v] of rows) console.log(`| ${k} | ${v} |`);
  const distinct = [...new Set(tally.errors)];
  for (const e of distinct.slice(0, 20)) console.log(`error: ${e}`);
  const failed =
    tally.errors.length > 0 ||
    tally.honestRight !== tally.honest ||
    (start &&
      end &&
      (end.rssMb - start.rssMb > RSS_GROWTH_LIMIT_MB ||
        serverThreads(end) > serverThreads(start) ||
        end.threads > start.threads + THREAD_SLACK_PER_CHILD * (start.processes.length - 1)));
  if (failed) {
    console.log('soak FAILED');
    process.exit(1);
  }
  console.log('soak passed');
}

await main();
