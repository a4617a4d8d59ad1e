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
  /** The stage's `/webhook` (its first deployed route when it has no /webhook). */
  url: string;
  /** The stage's base URL: a route's path follows it (`${stageUrl}/webhooks/github`). */
  stageUrl: string;
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
  /** The resource paths with a POST method (`/webhook`, `/webhooks/{source}`), as deployed. */
  routes: string[];
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

export interface MatchedRoute {
  /** The deployed resource path the request matched (`/webhooks/{source}`). */
  resourcePath: string;
  /** Its path parameters, URL-decoded as API Gateway passes them; null for a route without any. */
  pathParameters: Record<string, string> | null;
}

/**
 * The deployed route a resource path matches, as API Gateway routes: segment by segment, a
 * `{name}` segment taking any one non-empty segment, a literal segment preferred to a parameter.
 */
export function matchRoute(routes: readonly string[], path: string): MatchedRoute | undefined {
  const segments = path.split('/').slice(1);
  const candidates = routes
    .map((route) => ({ route, parts: route.split('/').slice(1) }))
    .filter(({ parts }) => parts.length === segments.length)
    .sort((a, b) => a.parts.filter((part) => part.startsWith('{')).length - b.parts.filter((part) => part.startsWith('{')).length);
  for (const { route, parts } of candidates) {
    const parameters: Record<string, string> = {};
    const matches = parts.every((part, index) => {
      const segment = segments[index] as string;
      const name = /^\{([^}+]+)\}$/.exec(part)?.[1];
      if (name === undefined) return part === segment;
      if (segment === '') return false;
      try {
        parameters[name] = decodeURIComponent(segment);
      } catch {
        parameters[name] = segment;
      }
      return true;
    });
    if (matches) return { resourcePath: route, pathParameters: Object.keys(parameters).length > 0 ? parameters : null };
  }
  return undefined;
}

/** The path after the stage: the invoke URL names the stage first (/<stage>/webhook). */
function resourcePathOf(pathname: string, stage: string): string {
  return pathname.startsWith(`/${stage}/`) ? pathname.slice(stage.length + 1) : pathname;
}

/** A REST API (payload 1.0) proxy event, as API Gateway builds it for `POST /webhook` or `POST /webhooks/{source}`. */
export function restProxyEvent(request: IncomingMessage, body: Buffer, deployed: Pick<DeployedStage, 'stage' | 'restApiId' | 'accountId'>, route: MatchedRoute): APIGatewayProxyEvent {
  const { stage } = deployed;
  const { resourcePath } = route;
  const url = new URL(request.url ?? '/', 'http://localhost');
  const query = Object.fromEntries(url.searchParams.entries());
  // The event's path is the request's, after the stage; `resource` is the route as deployed.
  const path = resourcePathOf(url.pathname, stage);
  return {
    resource: resourcePath,
    path,
    httpMethod: request.method ?? 'GET',
    ...senderHeaders(request),
    queryStringParameters: Object.keys(query).length > 0 ? query : null,
    multiValueQueryStringParameters: null,
    pathParameters: route.pathParameters,
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
 * `POST /<stage><route>` for every deployed route as the REST API does (any other path: 403
 * Missing Authentication Token). With active tracing, it samples each request
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
      const route = path.startsWith(`/${deployed.stage}/`) ? matchRoute(deployed.routes, resourcePathOf(path, deployed.stage)) : undefined;
      if (request.method !== 'POST' || !route) {
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
        name: `POST ${route.resourcePath}`,
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
        // API Gateway names the request's own path in the ARN it invokes from (/POST/webhooks/github).
        const sourceArn = `arn:aws:execute-api:${deployed.region}:${deployed.accountId}:${deployed.restApiId}/${deployed.stage}/POST${resourcePathOf(path, deployed.stage)}`;
        const permission = options.authorizeInvoke ? await options.authorizeInvoke(sourceArn) : { allowed: true };
        if (!permission.allowed) {
          // "Execution failed due to configuration error: Invalid permissions on Lambda function"
          Object.assign(span, { status: 'ERROR', statusMessage: 'Invalid permissions on Lambda function' });
          status = 500;
        } else {
          const outcome = await invokeProducer(restProxyEvent(request, Buffer.concat(chunks), deployed, route), traceHeader);
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
      const stageUrl = `http://127.0.0.1:${port}/${deployed.stage}`;
      resolve({
        url: `${stageUrl}${deployed.routes.includes('/webhook') ? '/webhook' : (deployed.routes[0] ?? '')}`,
        stageUrl,
        requests,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}
