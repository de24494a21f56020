// Run in a child process by check-lambda-package.ts:
//   node --no-node-snapshot scripts/lambda/invoke.ts <unzipped>/dist/lambda/lambda.mjs <results.json>
// Loads the handler from the unzipped artifact, answers every synthetic event, writes the responses and
// the native modules the process loaded (from /proc/self/maps: which isolated-vm binary really ran).
import { readFile, writeFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { invocationCases } from './events.ts';
import type { InvokeResults, LambdaResponse } from './responses.ts';

const [handlerPath, resultsPath] = process.argv.slice(2);
if (!handlerPath || !resultsPath) throw new Error('usage: invoke.ts <handler.mjs> <results.json>');

const lambda = (await import(pathToFileURL(handlerPath).href)) as {
  handler: (event: unknown, context: unknown) => Promise<unknown>;
  close?: () => Promise<void>;
};
const context = {
  functionName: 'gradus-dev-reward',
  awsRequestId: 'artifact-check',
  getRemainingTimeInMillis: () => 28_000,
};
const responses: InvokeResults['responses'] = [];
for (const { name, kind, event } of invocationCases()) {
  const t0 = performance.now();
  const response = (await lambda.handler(event, context)) as LambdaResponse;
  responses.push({ name, kind, ms: Math.round(performance.now() - t0), response });
}
const results: InvokeResults = { responses, nativeModules: await loadedNativeModules() };
await writeFile(resultsPath, JSON.stringify(results));
await lambda.close?.();

/** The .node files mapped into this process, each once, in the order of the maps. */
async function loadedNativeModules(): Promise<string[]> {
  const maps = await readFile('/proc/self/maps', 'utf8');
  const paths = new Set<string>();
  for (const line of maps.split('\n')) {
    // The path is the sixth field, after the address, perms, offset, device and inode.
    const path = line.split(/\s+/, 6)[5];
    if (path?.endsWith('.node')) paths.add(path);
  }
  return [...paths];
}
