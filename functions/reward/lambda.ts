// AWS Lambda entry. The only module that imports hono/aws-lambda (to be moved to @hono/aws-lambda for Hono 5).
import { handle } from 'hono/aws-lambda';
import { createApp } from '../../shared/api/app.ts';
import { createLambdaScorer } from '../../shared/reward/lambda-scorer.ts';

const scorer = await createLambdaScorer(new URL('./', import.meta.url));

export const handler = handle(createApp({ scorer }));

/** Disposes the sandboxes and workers, so that a process that loaded the handler (a test) can exit cleanly. */
export const close = (): Promise<void> => scorer.close();
