import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { InvokeOutcome } from './local-lambda';
import type { SpanRecord } from './span-file';
import { newSpanId, newTraceId, xrayHeader } from './xray-ids';

export interface LocalApiGateway {
  url: string;
  close(): Promise<void>;
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
export function restProxyEvent(request: IncomingMessage, body: Buffer, stage: string, resourcePath: string): APIGatewayProxyEvent {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const query = Object.fromEntries(url.searchParams.entries());
  return {
    resource: resourcePath,
    path: url.pathname,
    httpMethod: request.method ?? 'GET',
    ...senderHeaders(request),
    queryStringParameters: Object.keys(query).length > 0 ? query : null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    requestContext: {
      accountId: '123456789012',
      apiId: 'local',
      stage,
      requestId: randomUUID(),
      httpMethod: request.method ?? 'GET',
      path: `/${stage}${url.pathname}`,
      resourcePath,
      resourceId: 'local',
      protocol: 'HTTP/1.1',
      requestTimeEpoch: Date.now(),
      identity: { sourceIp: request.socket.remoteAddress ?? '127.0.0.1' },
    } as APIGatewayProxyEvent['requestContext'],
    body: body.length > 0 ? body.toString('utf8') : null,
    isBase64Encoded: false,
  };
}

/**
 * API Gateway's part: an HTTP server on a free loopback port that routes `POST <resourcePath>`
 * to the producer as a REST proxy event, opens the stage's span (X-Ray active tracing) and
 * passes its context to the function as an X-Ray header.
 */
export function startApiGateway(
  invokeProducer: (event: APIGatewayProxyEvent, traceHeader: string | undefined) => Promise<InvokeOutcome>,
  options: { stage: string; resourcePath: string; onSpan: (span: SpanRecord) => void },
): Promise<LocalApiGateway> {
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', async () => {
      const path = new URL(request.url ?? '/', 'http://localhost').pathname;
      const reply = (status: number, body: string, headers: Record<string, string> = { 'content-type': 'application/json' }) => {
        response.writeHead(status, headers);
        response.end(body);
      };
      if (request.method !== 'POST' || path !== options.resourcePath) {
        reply(403, JSON.stringify({ message: 'Missing Authentication Token' }));
        return;
      }
      // The stage's segment, which API Gateway records itself with active tracing: a new sampled
      // trace whose context reaches the function as its X-Ray header.
      const span: SpanRecord = {
        traceId: newTraceId(),
        spanId: newSpanId(),
        name: `POST ${options.resourcePath}`,
        kind: 'SERVER',
        service: 'api-gateway',
        startMs: Date.now(),
        endMs: 0,
        status: 'UNSET',
        attributes: { 'http.request.method': 'POST', 'url.path': path, 'aws.api_gateway.stage': options.stage },
        events: [],
        links: [],
        sampled: true,
      };
      let result: APIGatewayProxyResult | undefined;
      try {
        const outcome = await invokeProducer(restProxyEvent(request, Buffer.concat(chunks), options.stage, options.resourcePath), xrayHeader(span.traceId, span.spanId, true));
        if (outcome.ok) result = outcome.result as APIGatewayProxyResult;
        else Object.assign(span, { status: 'ERROR', statusMessage: outcome.error.message });
      } finally {
        const status = result?.statusCode ?? 502;
        span.attributes['http.response.status_code'] = status;
        if (status >= 500) Object.assign(span, { status: 'ERROR', statusMessage: `HTTP ${status}` });
        span.endMs = Date.now();
        options.onSpan(span);
      }
      if (!result) reply(502, JSON.stringify({ message: 'Internal server error' }));
      else reply(result.statusCode, result.body, Object.fromEntries(Object.entries(result.headers ?? {}).map(([k, v]) => [k, String(v)])));
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      resolve({
        url: `http://127.0.0.1:${port}${options.resourcePath}`,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}
