// Loaded with `node --require` into each local Lambda process whose deployed environment names
// an exec wrapper: the local stand-in for the ADOT layer's /opt/otel-instrument.
import { installLocalTracing } from './local-tracing';

const spansFile = process.env.LOCAL_SPANS_FILE;
if (!spansFile) throw new Error('LOCAL_SPANS_FILE is not set: the local runtime sets it for each function process');

installLocalTracing({
  serviceName: process.env.OTEL_SERVICE_NAME || process.env.AWS_LAMBDA_FUNCTION_NAME || 'lambda',
  spansFile,
  propagators: process.env.OTEL_PROPAGATORS,
  instrumentAwsSdk: true,
});
