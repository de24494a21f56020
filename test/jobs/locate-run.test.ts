import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { locateRun } from '../../functions/cli/stage.ts';

describe('gradus stage <run> argument', () => {
  it('takes a run folder or its manifest, a path or an s3:// URL', () => {
    expect(locateRun('/data/.gradus/runs/paper-1')).toEqual({ root: '/data/.gradus', runId: 'paper-1' });
    expect(locateRun('/data/.gradus/runs/paper-1/manifest.json')).toEqual({
      root: '/data/.gradus',
      runId: 'paper-1',
    });
    expect(locateRun('runs/p2/')).toEqual({ root: resolve('.'), runId: 'p2' });
    expect(locateRun('s3://bucket/team/runs/p3/manifest.json')).toEqual({
      root: 's3://bucket/team',
      runId: 'p3',
    });
  });

  it('says what it expected otherwise', () => {
    expect(() => locateRun('/data/paper-1/manifest.json')).toThrow(/expected <root>\/runs\/<run-id>/);
    expect(() => locateRun('/data/runs/a/b')).toThrow(/expected <root>\/runs\/<run-id>/);
  });
});
