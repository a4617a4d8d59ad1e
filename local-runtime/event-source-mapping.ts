import { GetFunctionConfigurationCommand, ListEventSourceMappingsCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { DeleteMessageBatchCommand, GetQueueAttributesCommand, GetQueueUrlCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse } from 'aws-lambda';
import type { InvokeOutcome } from './local-lambda';
import { toLambdaEvent } from './sqs-records';

/** The deployed mapping's settings, read back from the emulator. */
export interface MappingSettings {
  uuid: string;
  queueArn: string;
  queueUrl: string;
  batchSize: number;
  batchingWindowSeconds: number;
  reportBatchItemFailures: boolean;
  enabled: boolean;
}

export async function readMapping(lambda: LambdaClient, sqs: SQSClient, functionName: string): Promise<MappingSettings> {
  // By ARN: the emulator matches FunctionName against the ARN the mapping was created with.
  const { FunctionArn } = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName }));
  const listed = await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: FunctionArn }));
  const mapping = (listed.EventSourceMappings ?? []).find((m) => m.EventSourceArn?.startsWith('arn:') && m.EventSourceArn.split(':')[2] === 'sqs');
  if (!mapping?.EventSourceArn || !mapping.UUID) throw new Error(`no SQS event source mapping is deployed for ${functionName}`);
  const queueName = mapping.EventSourceArn.split(':').pop() as string;
  const accountId = mapping.EventSourceArn.split(':')[4];
  const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: queueName, QueueOwnerAWSAccountId: accountId }));
  return {
    uuid: mapping.UUID,
    queueArn: mapping.EventSourceArn,
    queueUrl: QueueUrl as string,
    batchSize: mapping.BatchSize ?? 10,
    batchingWindowSeconds: mapping.MaximumBatchingWindowInSeconds ?? 0,
    reportBatchItemFailures: (mapping.FunctionResponseTypes ?? []).includes('ReportBatchItemFailures'),
    enabled: mapping.State !== 'Disabled',
  };
}

export interface BatchReport {
  messages: Message[];
  /** Message ids left on the queue to come back after the visibility timeout. */
  retried: string[];
  outcome: InvokeOutcome;
}

/**
 * Lambda's reading of a response: with ReportBatchItemFailures, the listed records fail; an
 * identifier that is missing or not in the batch fails the whole batch, as in Lambda. A thrown
 * error or a timeout fails every record.
 */
export function failedMessageIds(messages: readonly Message[], outcome: InvokeOutcome, reportBatchItemFailures: boolean): string[] {
  const all = messages.map((m) => m.MessageId as string);
  if (!outcome.ok) return all;
  if (!reportBatchItemFailures) return [];
  const failures = (outcome.result as Partial<SQSBatchResponse> | null)?.batchItemFailures;
  if (failures === undefined || failures === null) return [];
  if (!Array.isArray(failures)) return all;
  const ids = failures.map((failure) => failure?.itemIdentifier);
  if (ids.some((id) => typeof id !== 'string' || !all.includes(id))) return all;
  return all.filter((id) => ids.includes(id));
}

/** What Lambda reports as a mapping's LastProcessingResult when its pollers cannot read the queue. */
export interface MappingError {
  at: number;
  operation: string;
  name: string;
  message: string;
}

/**
 * The event source mapping's part, which the emulator cannot play: polls the queue with the
 * deployed batch size and batching window (with the function's execution role, as Lambda's
 * pollers do), shapes records as Lambda does, invokes the function, deletes the records that
 * succeeded and leaves failed ones to return after the visibility timeout; the queue's redrive
 * policy moves them to the DLQ after maxReceiveCount. A poller that cannot read the queue
 * (AccessDenied, a KMS denial) records why and tries again a second later.
 */
export class LocalEventSourceMapping {
  private running = false;
  private loop: Promise<void> | undefined;
  /** The latest failures to read or delete, newest last (at most 100). */
  readonly errors: MappingError[] = [];

  constructor(
    private readonly sqs: SQSClient,
    readonly settings: MappingSettings,
    private readonly invoke: (event: ReturnType<typeof toLambdaEvent>) => Promise<InvokeOutcome>,
    private readonly onBatch: (report: BatchReport) => void = () => undefined,
    /** Batches in flight at once: Lambda runs several pollers per SQS mapping. */
    private readonly concurrency = 1,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = Promise.all(Array.from({ length: Math.max(1, this.concurrency) }, () => this.poll())).then(() => undefined);
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  private async collectBatch(): Promise<Message[]> {
    const { batchSize, batchingWindowSeconds, queueUrl } = this.settings;
    const messages: Message[] = [];
    const deadline = Date.now() + batchingWindowSeconds * 1000;
    do {
      const remainingSeconds = Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
      const received = await this.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: Math.min(10, batchSize - messages.length),
          WaitTimeSeconds: messages.length === 0 ? 1 : Math.min(1, remainingSeconds),
          MessageAttributeNames: ['All'],
          MessageSystemAttributeNames: ['All'],
        }),
      );
      messages.push(...(received.Messages ?? []));
      if (messages.length === 0) return messages;
      if ((received.Messages ?? []).length === 0 && Date.now() >= deadline) break;
    } while (this.running && messages.length < batchSize && Date.now() < deadline);
    return messages;
  }

  private recordError(operation: string, error: unknown): void {
    const { name = 'Error', message = String(error) } = error as { name?: string; message?: string };
    this.errors.push({ at: Date.now(), operation, name, message });
    if (this.errors.length > 100) this.errors.shift();
  }

  private async poll(): Promise<void> {
    // A poller reads the queue's attributes before it receives (and after each failure), as Lambda's do.
    let attributesRead = false;
    while (this.running) {
      let messages: Message[];
      try {
        if (!attributesRead) {
          await this.sqs.send(new GetQueueAttributesCommand({ QueueUrl: this.settings.queueUrl, AttributeNames: ['QueueArn', 'VisibilityTimeout'] }));
          attributesRead = true;
        }
        messages = await this.collectBatch();
      } catch (error) {
        this.recordError(attributesRead ? 'ReceiveMessage' : 'GetQueueAttributes', error);
        attributesRead = false;
        await new Promise((resolve) => setTimeout(resolve, 1000));
        continue;
      }
      if (messages.length === 0) continue;
      const outcome = await this.invoke(toLambdaEvent(messages, this.settings.queueArn));
      const failed = failedMessageIds(messages, outcome, this.settings.reportBatchItemFailures);
      const succeeded = messages.filter((m) => !failed.includes(m.MessageId as string));
      for (let i = 0; i < succeeded.length; i += 10) {
        try {
          const deleted = await this.sqs.send(
            new DeleteMessageBatchCommand({
              QueueUrl: this.settings.queueUrl,
              Entries: succeeded.slice(i, i + 10).map((m, index) => ({ Id: String(index), ReceiptHandle: m.ReceiptHandle as string })),
            }),
          );
          for (const failure of deleted.Failed ?? []) this.recordError('DeleteMessageBatch', { name: failure.Code, message: failure.Message });
        } catch (error) {
          // Not deleted: the records come back after the visibility timeout and are delivered again.
          this.recordError('DeleteMessageBatch', error);
        }
      }
      this.onBatch({ messages, retried: failed, outcome });
    }
  }
}
