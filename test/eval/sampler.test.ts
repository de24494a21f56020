import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RETRY, requestCompletions } from '../../shared/eval/generate/client.ts';
import { openJournal, readRolloutRows } from '../../shared/eval/generate/journal.ts';
import { sampleAll } from '../../shared/eval/generate/sampler.ts';
import { startSourceServer } from './source-server.ts';
import { startStandIn } from './stand-in-server.ts';

const params = { temperature: 0.6, topP: 0.95, maxTokens: 100, seed: 0 };
const fastRetry = { ...DEFAULT_RETRY, attempts: 3, baseDelayMs: 5, maxDelayMs: 20 };
const echo = (prompt: string, sample: number) => ({
  text: `${prompt}#${sample}`,
  finishReason: 'stop' as const,
});
const items = Array.from({ length: 12 }, (_, i) => ({ id: `p${i}`, prompt: `problem ${i}` }));
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gradus-sampler-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('requestCompletions', () => {
  it('fails at once on a 4xx other than 429, with the status and body', async () => {
    const server = await startStandIn({ respond: echo, failures: [400] });
    try {
      const endpoint = { baseUrl: server.url, model: 'm' };
      await expect(requestCompletions(endpoint, 'x', 1, params, fastRetry)).rejects.toThrow(
        /answered HTTP 400/,
      );
      expect(server.requests).toHaveLength(1);
    } finally {
      await server.close();
    }
  });

  it('gives up after the last retry, saying how often it tried', async () => {
    const server = await startStandIn({ respond: echo, failures: [500, 502, 503, 504] });
    try {
      await expect(
        requestCompletions({ baseUrl: server.url, model: 'm' }, 'x', 1, params, fastRetry),
      ).rejects.toThrow(/failed after 3 attempts: HTTP 503/);
      expect(server.requests).toHaveLength(3);
    } finally {
      await server.close();
    }
  });

  it('does not follow a redirect: prompts and key go only to the endpoint named', async () => {
    const server = await startStandIn({ respond: echo });
    const src = await startSourceServer();
    try {
      const to = encodeURIComponent(`${server.url}/chat/completions`);
      const endpoint = { baseUrl: `${src.url}/r/redirect?status=307&to=${to}&x=`, model: 'm', apiKey: 'k' };
      await expect(requestCompletions(endpoint, 'x', 1, params, fastRetry)).rejects.toThrow(
        /answered HTTP 307/,
      );
      expect(server.requests).toHaveLength(0);
    } finally {
      await Promise.all([server.close(), src.close()]);
    }
  });

  it('retries a refused connection and reports it', async () => {
    const endpoint = { baseUrl: 'http://127.0.0.1:9/v1', model: 'm' };
    await expect(requestCompletions(endpoint, 'x', 1, params, fastRetry)).rejects.toThrow(/after 3 attempts/);
  });

  it('speaks the completions API too: prompt in, text out', async () => {
    const server = await startStandIn({ respond: echo });
    try {
      const endpoint = { baseUrl: server.url, model: 'm', promptMode: 'completions' as const };
      const batch = await requestCompletions(endpoint, 'raw', 2, { ...params, seed: 5 }, fastRetry);
      expect(batch.choices.map((c) => c.text)).toEqual(['raw#5', 'raw#6']);
      expect(batch.usage).toEqual({ prompt_tokens: 1 });
    } finally {
      await server.close();
    }
  });
});

describe('sampleAll', () => {
  it('keeps at most `concurrency` requests in flight', async () => {
    const server = await startStandIn({ respond: echo, delayMs: 20 });
    const journal = await openJournal(join(dir, 'bounded.jsonl'));
    try {
      const endpoint = { baseUrl: server.url, model: 'm', requestMode: 'single' as const };
      const summary = await sampleAll({ endpoint, items, k: 2, params, journal, concurrency: 3 });
      expect(summary).toEqual({ total: 24, resumed: 0, generated: 24, requests: 24 });
      expect(server.maxInFlight()).toBe(3);
    } finally {
      journal.close();
      await server.close();
    }
  });

  it('in n mode asks only for the missing runs of samples of a problem', async () => {
    const path = join(dir, 'gaps.jsonl');
    const row = (sample: number) =>
      JSON.stringify({
        problem_id: 'p0',
        model: 'm',
        sample,
        response: `problem 0#${sample}`,
        finish_reason: 'stop',
        usage: null,
      });
    await writeFile(path, `${[0, 1, 3].map(row).join('\n')}\n`);
    const server = await startStandIn({ respond: echo });
    const journal = await openJournal(path);
    try {
      await sampleAll({
        endpoint: { baseUrl: server.url, model: 'm' },
        items: items.slice(0, 1),
        k: 6,
        params,
        journal,
      });
      expect(server.requests.map((r) => r.samples)).toEqual([[2], [4, 5]]);
    } finally {
      journal.close();
      await server.close();
    }
    const rows = [];
    for await (const r of readRolloutRows(path)) rows.push(r);
    expect(rows.map((r) => r.sample).sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(rows.every((r) => r.response === `problem 0#${r.sample}`)).toBe(true);
  });
});

describe('journal', () => {
  it('drops a torn last line and names a bad line anywhere else', async () => {
    const path = join(dir, 'torn.jsonl');
    const good = JSON.stringify({
      problem_id: 7,
      model: 'm',
      sample: 0,
      response: 'r',
      finish_reason: null,
      usage: null,
    });
    await writeFile(path, `${good}\n{"problem_id": 7, "mo`);
    const journal = await openJournal(path);
    expect([...journal.done]).toHaveLength(1);
    journal.close();
    expect(await readFile(path, 'utf8')).toBe(`${good}\n`);
    await appendFile(path, `{"problem_id": 8}\n${good}\n`);
    await expect(openJournal(path)).rejects.toThrow(`${path} row 2, field model: `);
  });
});
