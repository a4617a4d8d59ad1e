import type { Attributes } from '@opentelemetry/api';
import type { SQSRecord } from 'aws-lambda';
import { ATTR } from './attributes.js';

/** The part of a Lambda SQS record that says how it was delivered. */
export type DeliveredRecord = { attributes?: Partial<SQSRecord['attributes']> };

/** A whole number of at least `min` from an SQS attribute string, or undefined. */
function wholeNumber(value: string | undefined, min: number): number | undefined {
  if (value === undefined || !/^\d+$/.test(value.trim())) return undefined;
  const parsed = Number(value);
  return Number.isSafeInteger(parsed) && parsed >= min ? parsed : undefined;
}

/**
 * Span attributes saying which delivery attempt this is (`ApproximateReceiveCount`, 1 on the
 * first) and how long the message had been in the queue when this attempt started
 * (`SentTimestamp`, epoch milliseconds, to `nowMs`). SentTimestamp is the original send time, so
 * on a retry the wait includes the earlier attempts and their visibility timeouts. Missing or
 * malformed attributes leave the matching span attribute out; never throws. The wait is clamped
 * at 0: SQS's clock and the function's may differ by a little.
 */
export function deliveryAttributes(record: DeliveredRecord, nowMs: number): Attributes {
  const attributes: Attributes = {};
  const deliveryCount = wholeNumber(record.attributes?.ApproximateReceiveCount, 1);
  if (deliveryCount !== undefined) attributes[ATTR.sqsMessageDeliveryCount] = deliveryCount;
  const sentAt = wholeNumber(record.attributes?.SentTimestamp, 0);
  if (sentAt !== undefined && Number.isFinite(nowMs)) attributes[ATTR.sqsMessageQueueWaitMs] = Math.max(0, Math.round(nowMs - sentAt));
  return attributes;
}
