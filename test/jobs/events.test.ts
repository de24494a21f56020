import { describe, expect, it } from 'vitest';
import { runIdOfManifestKey } from '../../shared/jobs/contract.ts';
import { createdObjects } from '../../shared/jobs/events.ts';

// Shapes as AWS sends them (trimmed), not as s3rver does: real notification keys are URL-encoded.
const eventBridge = {
  version: '0',
  id: '17793124-05d4-b198-2fde-7ededc63b103',
  'detail-type': 'Object Created',
  source: 'aws.s3',
  account: '123456789012',
  time: '2026-11-25T17:41:20Z',
  region: 'us-east-1',
  resources: ['arn:aws:s3:::gradus-dev-stages-123456789012'],
  detail: {
    version: '0',
    bucket: { name: 'gradus-dev-stages-123456789012' },
    object: { key: 'runs/paper-1/manifest.json', size: 2291, etag: 'b1946ac92492d2347c6235b4d2611184' },
    'request-id': 'N4N7GDK58NMKJ12R',
    reason: 'PutObject',
  },
};

const notification = {
  Records: [
    {
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      awsRegion: 'us-east-1',
      eventName: 'ObjectCreated:CompleteMultipartUpload',
      s3: {
        s3SchemaVersion: '1.0',
        bucket: { name: 'gradus-dev-stages', arn: 'arn:aws:s3:::gradus-dev-stages' },
        object: { key: 'runs/my+run%3D2/manifest.json', size: 1024 },
      },
    },
    {
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      eventName: 'ObjectRemoved:Delete',
      s3: { bucket: { name: 'gradus-dev-stages' }, object: { key: 'runs/x/manifest.json' } },
    },
  ],
};

describe('created objects from S3 events', () => {
  it('reads bucket and key from an EventBridge "Object Created" event', () => {
    expect(createdObjects(eventBridge)).toEqual([
      { bucket: 'gradus-dev-stages-123456789012', key: 'runs/paper-1/manifest.json' },
    ]);
  });

  it('URL-decodes notification keys ("+" is a space) and ignores removals', () => {
    expect(createdObjects(notification)).toEqual([
      { bucket: 'gradus-dev-stages', key: 'runs/my run=2/manifest.json' },
    ]);
  });

  it('rejects anything else with a message saying what was expected', () => {
    expect(() => createdObjects({ detail: {} })).toThrow(
      /EventBridge "Object Created" event or S3 notification Records/,
    );
  });

  it('only runs/<run-id>/manifest.json names a run', () => {
    expect(runIdOfManifestKey('runs/paper-1/manifest.json')).toBe('paper-1');
    expect(runIdOfManifestKey('runs/paper-1/stages/1/status.json')).toBeUndefined();
    expect(runIdOfManifestKey('runs/a/b/manifest.json')).toBeUndefined();
    expect(runIdOfManifestKey('other/paper-1/manifest.json')).toBeUndefined();
  });
});
