import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { assertTracingReady } from '../lib/startup-check';
import { loadProducerConfig } from './config';
import { createProducerHandler } from './producer';
import { snsClientModule } from './publish';
import { SigningSecrets } from './signing-secrets';

// Module scope runs once per cold start: a bad setting fails it here, naming the setting.
const config = loadProducerConfig(process.env);
assertTracingReady(process.env);

const secretArn = config.secretArn;
const secretsManager = new SecretsManagerClient({});
const secrets =
  secretArn === undefined
    ? undefined
    : new SigningSecrets(async () => {
        const secret = await secretsManager.send(new GetSecretValueCommand({ SecretId: secretArn }));
        if (secret.SecretString === undefined) throw new Error('the webhook secret has no string value');
        return secret.SecretString;
      });

// Only the client of the configured destination: the queue's, or with fan-out the topic's.
const clients = config.destination.kind === 'topic' ? { sns: new (snsClientModule().SNSClient)({}) } : { sqs: new SQSClient({}) };

export const handler = createProducerHandler({ config, ...clients, secrets });
