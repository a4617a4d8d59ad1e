import type { IncomingHttpHeaders } from 'node:http';

export type AwsProtocol = 'json' | 'query' | 'rest';

/** One AWS API call as it arrived at the local endpoint: who signed it, for which service, what it asks. */
export interface AwsRequest {
  /** The signing name from the SigV4 credential scope (sqs, dynamodb, secretsmanager, kms, logs, iam, xray, ...). */
  service: string;
  region: string;
  /** The access key id of the SigV4 `Credential`; undefined for an unsigned request. */
  accessKeyId: string | undefined;
  protocol: AwsProtocol;
  /** SendMessage, PutItem, GetSecretValue...; for REST APIs the first path segment or `<METHOD> <path>`. */
  operation: string;
  /** The JSON body (JSON protocols) or the form fields (query protocol); {} otherwise. */
  params: Record<string, unknown>;
  /** Whether it arrived over TLS: what `aws:SecureTransport` is. */
  secure: boolean;
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** `AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/sqs/aws4_request, SignedHeaders=..., Signature=...` */
export function parseCredentialScope(authorization: string | undefined): { accessKeyId: string; region: string; service: string } | undefined {
  const match = /Credential=([^/,\s]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(authorization ?? '');
  if (!match) return undefined;
  return { accessKeyId: match[1] as string, region: match[2] as string, service: match[3] as string };
}

function parseJson(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  try {
    const parsed = JSON.parse(body.toString('utf8')) as unknown;
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

export function parseAwsRequest(input: { method: string; url: string; headers: IncomingHttpHeaders; body: Buffer; secure: boolean }): AwsRequest {
  const scope = parseCredentialScope(input.headers.authorization);
  const path = new URL(input.url, 'http://local').pathname;
  const target = input.headers['x-amz-target'];
  const contentType = String(input.headers['content-type'] ?? '');
  const base = {
    service: scope?.service ?? '',
    region: scope?.region ?? '',
    accessKeyId: scope?.accessKeyId,
    secure: input.secure,
    method: input.method,
    path,
    headers: input.headers,
    body: input.body,
  };
  if (typeof target === 'string' && target.includes('.')) {
    return { ...base, protocol: 'json', operation: target.slice(target.lastIndexOf('.') + 1), params: parseJson(input.body) };
  }
  if (contentType.startsWith('application/x-www-form-urlencoded')) {
    const params = Object.fromEntries(new URLSearchParams(input.body.toString('utf8')).entries());
    if (typeof params.Action === 'string') return { ...base, protocol: 'query', operation: params.Action, params };
  }
  // REST APIs: X-Ray names its operations by path (POST /GetSamplingRules); others by method and path.
  const operation = base.service === 'xray' ? path.replace(/^\//, '').split('/')[0] ?? '' : `${input.method} ${path}`;
  return { ...base, protocol: 'rest', operation, params: contentType.includes('json') ? parseJson(input.body) : {} };
}

/** Calls that change no policy, key, queue attribute or permission: they never invalidate what the endpoint caches. */
const DATA_PLANE = new Set([
  'SendMessage',
  'SendMessageBatch',
  'Publish',
  'PublishBatch',
  'ReceiveMessage',
  'DeleteMessage',
  'DeleteMessageBatch',
  'ChangeMessageVisibility',
  'ChangeMessageVisibilityBatch',
  'PurgeQueue',
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'BatchWriteItem',
  'TransactWriteItems',
  'TransactGetItems',
  'ExecuteStatement',
  'BatchExecuteStatement',
  'PutSecretValue',
  'Encrypt',
  'Decrypt',
  'ReEncrypt',
  'GenerateDataKey',
  'GenerateDataKeyWithoutPlaintext',
  'PutLogEvents',
  'CreateLogStream',
  'CreateLogGroup',
  'PutTraceSegments',
  'PutTelemetryRecords',
  'AssumeRole',
  'GetCallerIdentity',
]);

/**
 * Whether a call may change what access decisions read (a role's policies, a queue's attributes, a
 * key policy, a secret's policy or key, a table's encryption, a function's permissions): anything
 * but a read or a data-plane call. The endpoint then drops its caches, so the next call sees it.
 */
export function mayChangeAccess(request: AwsRequest): boolean {
  if (request.protocol === 'rest') return request.method !== 'GET' && request.method !== 'HEAD' && !DATA_PLANE.has(request.operation);
  if (/^(Get|List|Describe|BatchGet|Query|Scan)/.test(request.operation)) return false;
  return !DATA_PLANE.has(request.operation);
}
