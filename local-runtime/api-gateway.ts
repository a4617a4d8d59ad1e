import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { InvokeOutcome } from './local-lambda';
import type { SpanRecord } from './span-file';
import type { SampledRequest, SamplingDecision } from './local-aws/xray-sampler';
import { newSpanId, newTraceId, xrayHeader } from './xray-ids';

/** One request the local API Gateway received, with its X-Ray sampling decision. */
export interface ApiRequestRecord {
  at: number;
  sampled: boolean;
  /** The sampling rule that decided (Default, or the deployed rule's name); "(tracing off)" without active tracing. */
  rule: string;
  status: number;
}

export interface LocalApiGateway {
  url: string;
  /** Every request routed to the function, in order. */
  readonly requests: ApiRequestRecord[];
  close(): Promise<void>;
}

/** The deployed REST API's stage the local API Gateway plays, read back from the emulator. */
export interface DeployedStage {
  restApiId: string;
  /** The REST API's name: X-Ray names the stage's service `<name>/<stage>`. */
  apiName: string;
  stage: string;
  /** The resource path of the POST method (/webhook). */
  resourcePath: string;
  tracingEnabled: boolean;
  region: string;
  accountId: string;
}

export interface ApiGatewayOptions {
  onSpan: (span: SpanRecord) => void;
  /** X-Ray's decision for a request of a traced stage (the account's sampling rules); unset, every request is sampled. */
  sample?: (request: SampledRequest) => SamplingDecision;
  /** Whether the function's permissions let API Gateway invoke it for this execute-api ARN; unset, it may. */
  authorizeInvoke?: (sourceArn: string) => Promise<{ allowed: boolean; message?: string }>;
}

/** Header names in the sender's case, as a REST API passes them (Node lower-cases `headers`). */
function senderHeaders(request: IncomingMessage): { headers: Record<string, string>; multiValueHeaders: Record<string, string[]> } {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (let i = 0; i < request.rawHeaders.length; i += 2) {
    const name = request.rawHeaders[i] as string;
    const value = request.rawHeaders[i + 1] as string;
    headers[name] = value;
    (multiValueHeaders[name] ??= []).push(value);
  }
  return { headers, multiValueHeaders };
}

/** A REST API (payload 1.0) proxy event, as API Gateway builds it for `POST /webhook`. */
export function restProxyEvent(request: IncomingMessage, body: Buffer, deployed: Pick<DeployedStage, 'stage' | 'resourcePath' | 'restApiId' | 'accountId'>): APIGatewayProxyEvent {
  const { stage, resourcePath } = deployed;
  const url = new URL(request.url ?? '/', 'http://localhost');
  const query = Object.fromEntries(url.searchParams.entries());
  // The invoke URL names the stage first (/<stage>/webhook); the event's path is the resource's.
  const path = url.pathname.startsWith(`/${stage}/`) ? url.pathname.slice(stage.length + 1) : url.pathname;
  return {
    resource: resourcePath,
    path,
    httpMethod: request.method ?? 'GET',
    ...senderHeaders(request),
    queryStringParameters: Object.keys(query).length > 0 ? query : null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    requestContext: {
      accountId: deployed.accountId,
      apiId: deployed.restApiId,
      stage,
      requestId: randomUUID(),
      httpMethod: request.method ?? 'GET',
      path: `/${stage}${path}`,
      resourcePath,
      resourceId: deployed.restApiId,
      protocol: 'HTTP/1.1',
      requestTimeEpoch: Date.now(),
      identity: { sourceIp: request.socket.remoteAddress ?? '127.0.0.1' },
    } as APIGatewayProxyEvent['requestContext'],
    body: body.length > 0 ? body.toString('utf8') : null,
    isBase64Encoded: false,
  };
}

/**
 * API Gateway's part: an HTTP server on a free loopback port that serves the deployed stage's
 * `POST /<stage><resourcePath>` as the REST API does. With active tracing, it samples each request
 * with the account's X-Ray rules: a sampled request gets the stage's span and reaches the function
 * with `Sampled=1`; an unsampled one gets no span and `Sampled=0`. It invokes the function only
 * when the function's Lambda permission allows this execute-api ARN (else 500, as API Gateway does).
 */
export function startApiGateway(
  invokeProducer: (event: APIGatewayProxyEvent, traceHeader: string | undefined) => Promise<InvokeOutcome>,
  deployed: DeployedStage,
  options: ApiGatewayOptions,
): Promise<LocalApiGateway> {
  const requests: ApiRequestRecord[] = [];
  const routePath = `/${deployed.stage}${deployed.resourcePath}`;
  const host = `${deployed.restApiId}.execute-api.${deployed.region}.amazonaws.com`;
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', async () => {
      const path = new URL(request.url ?? '/', 'http://localhost').pathname;
      const reply = (status: number, body: string, headers: Record<string, string> = { 'content-type': 'application/json' }) => {
        response.writeHead(status, headers);
        response.end(body);
      };
      if (request.method !== 'POST' || path !== routePath) {
        reply(403, JSON.stringify({ message: 'Missing Authentication Token' }));
        return;
      }
      const decision = !deployed.tracingEnabled
        ? undefined
        : (options.sample?.({
            serviceName: `${deployed.apiName}/${deployed.stage}`,
            serviceType: 'AWS::ApiGateway::Stage',
            host,
            httpMethod: 'POST',
            urlPath: path,
            resourceArn: `arn:aws:apigateway:${deployed.region}::/restapis/${deployed.restApiId}/stages/${deployed.stage}`,
          }) ?? { sampled: true, ruleName: '(no sampling rules)', by: 'reservoir' as const });
      // The stage's segment, recorded only when sampled; either way the function gets the trace's
      // header with the decision (Lambda always names a parent, its own segment's id).
      const span: SpanRecord = {
        traceId: newTraceId(),
        spanId: newSpanId(),
        name: `POST ${deployed.resourcePath}`,
        kind: 'SERVER',
        service: 'api-gateway',
        startMs: Date.now(),
        endMs: 0,
        status: 'UNSET',
        attributes: { 'http.request.method': 'POST', 'url.path': path, 'aws.api_gateway.stage': deployed.stage, 'aws.api_gateway.rest_api_id': deployed.restApiId },
        events: [],
        links: [],
        sampled: true,
      };
      const traceHeader = decision ? xrayHeader(span.traceId, span.spanId, decision.sampled) : undefined;
      let result: APIGatewayProxyResult | undefined;
      let status = 502;
      try {
        const sourceArn = `arn:aws:execute-api:${deployed.region}:${deployed.accountId}:${deployed.restApiId}/${deployed.stage}/POST${deployed.resourcePath}`;
        const permission = options.authorizeInvoke ? await options.authorizeInvoke(sourceArn) : { allowed: true };
        if (!permission.allowed) {
          // "Execution failed due to configuration error: Invalid permissions on Lambda function"
          Object.assign(span, { status: 'ERROR', statusMessage: 'Invalid permissions on Lambda function' });
          status = 500;
        } else {
          const outcome = await invokeProducer(restProxyEvent(request, Buffer.concat(chunks), deployed), traceHeader);
          if (outcome.ok) result = outcome.result as APIGatewayProxyResult;
          else Object.assign(span, { status: 'ERROR', statusMessage: outcome.error.message });
          status = result?.statusCode ?? 502;
        }
      } finally {
        span.attributes['http.response.status_code'] = status;
        if (status >= 500 && span.status !== 'ERROR') Object.assign(span, { status: 'ERROR', statusMessage: `HTTP ${status}` });
        span.endMs = Date.now();
        if (decision?.sampled) options.onSpan(span);
        requests.push({ at: span.startMs, sampled: decision?.sampled ?? false, rule: decision?.ruleName ?? '(tracing off)', status });
      }
      if (status === 500 && !result) reply(500, JSON.stringify({ message: 'Internal server error' }), { 'content-type': 'application/json', 'x-amzn-errortype': 'InternalServerErrorException' });
      else if (!result) reply(502, JSON.stringify({ message: 'Internal server error' }));
      else reply(result.statusCode, result.body, Object.fromEntries(Object.entries(result.headers ?? {}).map(([k, v]) => [k, String(v)])));
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      resolve({
        url: `http://127.0.0.1:${port}${routePath}`,
        requests,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}
