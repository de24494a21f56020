import { z } from 'zod';

/** One object that an event says was created. */
export interface CreatedObject {
  bucket: string;
  key: string;
}

/** EventBridge's "Object Created" event from S3 (bucket with EventBridge notifications on). */
export const EventBridgeObjectCreated = z.object({
  source: z.literal('aws.s3'),
  'detail-type': z.literal('Object Created'),
  detail: z.object({
    bucket: z.object({ name: z.string().min(1) }),
    object: z.object({ key: z.string().min(1) }),
  }),
});

/** A classic S3 event notification (to Lambda, SQS or SNS), possibly several records. */
export const S3Notification = z.object({
  Records: z.array(
    z.object({
      eventName: z.string(),
      s3: z.object({
        bucket: z.object({ name: z.string().min(1) }),
        object: z.object({ key: z.string().min(1) }),
      }),
    }),
  ),
});

/** Notification keys are URL-encoded with `+` for a space; EventBridge keys are not. */
export function decodeNotificationKey(key: string): string {
  return decodeURIComponent(key.replace(/\+/g, ' '));
}

/**
 * The created objects an event names: an EventBridge "Object Created" event or the `ObjectCreated:*`
 * records of an S3 notification. Anything else is an error naming what was expected.
 */
export function createdObjects(event: unknown): CreatedObject[] {
  const bridge = EventBridgeObjectCreated.safeParse(event);
  if (bridge.success) return [{ bucket: bridge.data.detail.bucket.name, key: bridge.data.detail.object.key }];
  const notification = S3Notification.safeParse(event);
  if (notification.success) {
    return notification.data.Records.filter((r) => r.eventName.startsWith('ObjectCreated:')).map((r) => ({
      bucket: r.s3.bucket.name,
      key: decodeNotificationKey(r.s3.object.key),
    }));
  }
  throw new Error(
    'not an S3 object-created event: expected an EventBridge "Object Created" event or S3 notification Records',
  );
}
