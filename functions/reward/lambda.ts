// AWS Lambda entry. The only module that imports hono/aws-lambda (to be moved to @hono/aws-lambda for Hono 5).
import { handle } from 'hono/aws-lambda';
import { createPool } from '../../shared/reward/pool.ts';
import { inlineScorer } from '../../shared/reward/score.ts';
import { createApp } from './app.ts';

// Inline by default, since a bundled Lambda has no separate worker file; inline scoring has no hard
// per-item timeout, though. GRADUS_SCORER=pool uses worker threads where the sources are deployed as files.
const scorer = process.env.GRADUS_SCORER === 'pool' ? createPool() : inlineScorer();

export const handler = handle(createApp({ scorer }));
