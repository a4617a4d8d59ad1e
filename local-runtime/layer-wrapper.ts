// Plays the ADOT layer's /opt/wrapper.js, which NODE_OPTIONS `--require`s before the runtime
// loads the handler: it only loads the distro's register, the full OpenTelemetry SDK set up for
// Lambda (propagators, samplers, the aws-lambda and aws-sdk instrumentations, the UDP exporter).
import '@aws/aws-distro-opentelemetry-node-autoinstrumentation/register';
