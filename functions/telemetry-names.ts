/**
 * The pipeline's own telemetry names. The library's defaults suit any consumer (`process <queue>`
 * spans, the package's name as the instrumentation scope); the pipeline sets its own explicitly,
 * because the demo, where-is, the soak, the dashboard docs and the end-to-end tests read them.
 */
export const PIPELINE_TRACER_NAME = 'traced-webhook-pipeline';

/** Each record's span in the consumer. */
export const RECORD_SPAN_NAME = 'process-webhook';

/**
 * The source a webhook came in on (`stripe` for `/webhook`, `<source>` for `/webhooks/<source>`),
 * on the producer's invocation and send spans and on the consumer's record span. The library's
 * own `webhook.*` names (lib/attributes) stay the library's; this one is the pipeline's.
 */
export const WEBHOOK_SOURCE_ATTRIBUTE = 'webhook.source';
