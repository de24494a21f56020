// Run in a child process by check-lambda-package.ts:
//   node --no-node-snapshot scripts/lambda/invoke.ts <unzipped>/dist/lambda/lambda.mjs <results.json>
// Loads the handler from the unzipped artifact, answers every synthetic event, writes the responses.
import { writeFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { invocationCases } from './events.ts';

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
const responses = [];
for (const { name, kind, event } of invocationCases()) {
  const t0 = performance.now();
  const response = await lambda.handler(event, context);
  responses.push({ name, kind, ms: Math.round(performance.now() - t0), response });
}
await writeFile(resultsPath, JSON.stringify(responses));
await lambda.close?.();
