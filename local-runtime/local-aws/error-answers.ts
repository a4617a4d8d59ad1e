import { randomUUID } from 'node:crypto';
import type { AwsRequest } from './aws-request';

/** An HTTP answer the endpoint gives instead of the emulator's. */
export interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface ErrorShape {
  /** The error code the SDK surfaces as `name` (AccessDeniedException, KmsAccessDenied, ...). */
  code: string;
  message: string;
  status: number;
  /** The JSON protocols' `__type` (with the service's namespace where AWS sends one). */
  type?: string;
  /** SQS's query-compatible code (x-amzn-query-error), which older SDKs read. */
  queryCode?: string;
}

const xmlEscape = (text: string) => text.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] as string);

/** The error in the wire shape of the request's protocol, as the service would answer it. */
export function errorAnswer(request: AwsRequest, shape: ErrorShape): Answer {
  const requestId = randomUUID();
  if (request.protocol === 'query') {
    const body = `<ErrorResponse><Error><Type>Sender</Type><Code>${xmlEscape(shape.queryCode ?? shape.code)}</Code><Message>${xmlEscape(shape.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
    return { status: shape.status, headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId }, body };
  }
  const headers: Record<string, string> = {
    'content-type': request.protocol === 'json' ? String(request.headers['content-type'] ?? 'application/x-amz-json-1.0') : 'application/json',
    'x-amzn-requestid': requestId,
    'x-amzn-errortype': shape.code,
  };
  if (shape.queryCode) headers['x-amzn-query-error'] = `${shape.queryCode};Sender`;
  return { status: shape.status, headers, body: JSON.stringify({ __type: shape.type ?? shape.code, message: shape.message }) };
}

/** The plain IAM denial of a call, in the shape each service uses for it. */
export function accessDeniedShape(service: string, message: string): ErrorShape {
  if (service === 'sqs') return { code: 'AccessDenied', type: 'com.amazon.coral.service#AccessDeniedException', queryCode: 'AccessDenied', status: 403, message };
  if (service === 'dynamodb') return { code: 'AccessDeniedException', type: 'com.amazon.coral.service#AccessDeniedException', status: 400, message };
  if (service === 'iam' || service === 'sts') return { code: 'AccessDenied', status: 403, message };
  if (service === 'sns') return { code: 'AuthorizationError', status: 403, message };
  return { code: 'AccessDeniedException', status: service === 'lambda' || service === 'xray' ? 403 : 400, message };
}

/** How KMS reports a denial to the service that called it on the caller's behalf. */
const kmsSuffix = () => ` (Service: AWSKMS; Status Code: 400; Error Code: AccessDeniedException; Request ID: ${randomUUID()}; Proxy: null)`;

/**
 * A denial of the KMS call a service makes on the caller's behalf, in that service's shape:
 * SQS's KmsAccessDenied (KMS.AccessDeniedException), DynamoDB's "KMS key access denied error",
 * Secrets Manager's "Access to KMS is not allowed", each carrying KMS's own sentence.
 */
export function kmsDeniedShape(service: string, kmsMessage: string): ErrorShape {
  if (service === 'sqs') return { code: 'KmsAccessDenied', type: 'com.amazonaws.sqs#KmsAccessDenied', queryCode: 'KMS.AccessDeniedException', status: 400, message: kmsMessage + kmsSuffix() };
  if (service === 'dynamodb') {
    return { code: 'AccessDeniedException', type: 'com.amazon.coral.service#AccessDeniedException', status: 400, message: `KMS key access denied error: ${kmsMessage}${kmsSuffix()}` };
  }
  if (service === 'secretsmanager') return { code: 'AccessDeniedException', status: 400, message: `Access to KMS is not allowed (${kmsMessage})` };
  if (service === 'sns') return { code: 'KMSAccessDenied', status: 400, message: kmsMessage + kmsSuffix() };
  return { code: 'AccessDeniedException', status: 400, message: kmsMessage };
}

export function unrecognizedClientShape(service: string): ErrorShape {
  const message = 'The security token included in the request is invalid.';
  if (service === 'sqs') return { code: 'InvalidClientTokenId', type: 'com.amazon.coral.service#UnrecognizedClientException', queryCode: 'InvalidClientTokenId', status: 403, message };
  return { code: 'UnrecognizedClientException', type: 'com.amazon.coral.service#UnrecognizedClientException', status: 400, message };
}
