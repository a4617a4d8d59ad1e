// Plays the ADOT layer's /opt/lite-wrapper.js, `--require`d instead of /opt/wrapper.js when
// OTEL_AWS_LAMBDA_FAST_START=true: the distro's lite SDK, started by configureLiteMode().
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { configureLiteMode } = require('@aws/aws-distro-opentelemetry-node-autoinstrumentation/lite') as { configureLiteMode: () => unknown };
configureLiteMode();
