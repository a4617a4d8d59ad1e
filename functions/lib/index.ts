/**
 * The tracing library both handlers use, for teams writing their own SQS consumer or producer:
 * inject trace context into SQS (or SNS) message attributes, extract it per record (from an SNS
 * envelope too), and run each record in its own span with partial batch failures.
 */
export { ATTR, MESSAGING_SYSTEM_SNS, MESSAGING_SYSTEM_SQS, TRACER_NAME, queueNameFromArn, queueNameFromUrl } from './attributes.js';
export { ConfigError } from './config.js';
export { extractUpstreamContext, type UpstreamContext, type UpstreamSource } from './extract.js';
export { FIELD_PRIORITY, SQS_MAX_MESSAGE_ATTRIBUTES, injectTraceContext, xrayTraceHeader, type InjectResult } from './inject.js';
export { createLogger, type Logger, type LogFields } from './logger.js';
export {
  forEachBounded,
  processSqsBatch,
  type BatchOptions,
  type RecordScope,
  type RecordWork,
  type TraceLinkMode,
} from './record-runner.js';
export { snsEnvelopeOf, unwrapSnsEnvelope, type SnsEnvelope } from './sns-envelope.js';
export { sqsAttributesGetter, sqsAttributesSetter, type LambdaMessageAttributes, type SdkMessageAttributes } from './sqs-carrier.js';
export { assertTracingReady, checkTracing, type TracingHealth } from './startup-check.js';
