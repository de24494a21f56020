import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { htmlReport } from '../../shared/eval/report/html.ts';
import type { EvalResults } from '../../shared/eval/results.ts';
import { runEval } from '../../shared/eval/run.ts';
import { createScorer } from '../../shared/reward/compose.ts';
import { needData } from '../helpers/data.ts';
import { answerFor, BENCHMARK_DIR, readRawProblems } from './fixture.ts';

const CHROMIUM = '/usr/bin/chromium';
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gradus-report-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Scores fixture responses for the first 40 problems of AIME24 and MATH-500, shifted by `offset` samples. */
async function evaluate(label: string, offset: number): Promise<EvalResults> {
  const rows = (['aime24', 'math500'] as const).flatMap((benchmark) =>
    readRawProblems(benchmark)
      .slice(0, 40)
      .flatMap((p) =>
        [0, 1, 2, 3].map((j) => ({
          benchmark,
          problem_id: p.id,
          sample: j,
          ...{
            response: answerFor(p, j + offset).text,
            finish_reason: answerFor(p, j + offset).finishReason,
          },
        })),
      ),
  );
  const file = join(dir, `${label}.jsonl`);
  await writeFile(file, rows.map((r) => JSON.stringify(r)).join('\n'));
  return runEval(
    {
      benchmarks: [{ name: 'aime24' }, { name: 'math500' }],
      responses: file,
      limit: 40,
      label,
      preset: 'paper',
      seed: 0,
    },
    { scorer: createScorer(), workDir: dir, benchmarkDir: BENCHMARK_DIR },
  );
}

const BENCHMARKS = needData('the HTML report of AIME24 and MATH-500 results', 'benchmarks');

describe.skipIf(!BENCHMARKS.has())('the HTML report in headless Chromium', () => {
  it('renders the table and the accuracy chart, offline, for one run and for a comparison', async () => {
    const results = [await evaluate('step-100', 0), await evaluate('step-200', 3)];
    const pages = {
      single: join(dir, 'report.html'),
      compare: join(dir, 'compare.html'),
    };
    await writeFile(pages.single, htmlReport([results[0] as EvalResults]));
    await writeFile(pages.compare, htmlReport(results));

    // A fresh profile folder per run (playwright passes it as --user-data-dir).
    const browser = await chromium.launchPersistentContext(join(dir, 'chromium-profile'), {
      executablePath: CHROMIUM,
      viewport: { width: 1100, height: 900 },
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    try {
      for (const [name, path] of Object.entries(pages)) {
        const page = await browser.newPage();
        const external: string[] = [];
        page.on('request', (req) => {
          if (!req.url().startsWith('file:')) external.push(req.url());
        });
        await page.goto(pathToFileURL(path).href);
        const runs = name === 'compare' ? 2 : 1;
        expect(await page.locator('table#summary tbody tr').count()).toBe(2 * runs);
        await expect(page.locator('table#summary').textContent()).resolves.toMatch(/MATH-500/);
        const chart = page.locator('#accuracy-chart svg');
        expect(await chart.count()).toBe(1);
        expect(await chart.locator('rect.bar').count()).toBe(2 * runs);
        expect(await chart.locator('line.ci').count()).toBe(2 * runs);
        const box = await chart.boundingBox();
        expect(box?.width).toBeGreaterThan(200);
        expect(box?.height).toBeGreaterThan(200);
        const png = join(dir, `${name}.png`);
        await page.screenshot({ path: png, fullPage: true });
        const bytes = await readFile(png);
        expect(bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
        // A blank page of this size compresses to a few KB; text, bars and axes make it much larger.
        expect((await stat(png)).size).toBeGreaterThan(20_000);
        expect(external).toEqual([]);
        await page.close();
      }
    } finally {
      await browser.close();
    }
  });
});
