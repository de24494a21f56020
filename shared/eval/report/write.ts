import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { EvalResults } from '../results.ts';
import { htmlReport } from './html.ts';
import { markdownReport } from './markdown.ts';

export interface WrittenReport {
  results: string;
  markdown: string;
  html: string;
}

/** Writes results.json (every sample with its verdict), report.md and report.html into `dir`. */
export async function writeReport(dir: string, results: EvalResults): Promise<WrittenReport> {
  await mkdir(dir, { recursive: true });
  const paths = {
    results: join(dir, 'results.json'),
    markdown: join(dir, 'report.md'),
    html: join(dir, 'report.html'),
  };
  await writeFile(paths.results, `${JSON.stringify(results, null, 1)}\n`);
  await writeFile(paths.markdown, markdownReport([results]));
  await writeFile(paths.html, htmlReport([results]));
  return paths;
}
