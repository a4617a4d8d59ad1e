import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { assertTracingReady } from '../lib/startup-check';
import { loadProducerConfig } from './config';
import { createProducerHandler } from './producer';
import { snsClientModule } from './publish';
import { SigningSecrets } from './signing-secrets';
import { senderOf, type WebhookSource } from './webhook-sources';

// Module scope runs once per cold start: a bad setting fails it here, naming the setting.
const config = loadProducerConfig(process.env);
assertTracingReady(process.env);

const secretsManager = new SecretsManagerClient({});
const readSecret = (secretArn: string) => async () => {
  const secret = await secretsManager.send(new GetSecretValueCommand({ SecretId: secretArn }));
  if (secret.SecretString === undefined) throw new Error('the webhook secret has no string value');
  return secret.SecretString;
};

// One cache per source, filled on its first request: a cold start reads only the secrets it needs.
const bySource = new Map<string, SigningSecrets>();
function secretsOf(source: WebhookSource): SigningSecrets {
  let secrets = bySource.get(source.name);
  if (!secrets) {
    const sender = senderOf(source);
    secrets = new SigningSecrets(readSecret(source.secretArn ?? ''), 60_000, Date.now, sender?.parseSecrets);
    bySource.set(source.name, secrets);
  }
  return secrets;
}

// Only the client of the configured destination: the queue's, or with fan-out the topic's.
const clients = config.destination.kind === 'topic' ? { sns: new (snsClientModule().SNSClient)({}) } : { sqs: new SQSClient({}) };

const defaultSource = config.defaultSource;
export const handler = createProducerHandler({
  config,
  ...clients,
  secrets: defaultSource?.scheme === 'stripe' ? secretsOf(defaultSource) : undefined,
  sourceSecrets: secretsOf,
});
