import type { APIGatewayProxyEvent, APIGatewayProxyEventV2 } from 'aws-lambda';

/** The REST API (payload 1.0) proxy event for `POST /webhook`: header names keep the sender's case. */
export function restEvent(body: string | null, headers: Record<string, string> = {}, isBase64Encoded = false): APIGatewayProxyEvent {
  return {
    resource: '/webhook',
    path: '/webhook',
    httpMethod: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    multiValueHeaders: Object.fromEntries(Object.entries({ 'Content-Type': 'application/json', ...headers }).map(([k, v]) => [k, [v]])),
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    requestContext: {} as APIGatewayProxyEvent['requestContext'],
    body,
    isBase64Encoded,
  };
}

/** The HTTP API (payload 2.0) event: header names lower-cased, the body often base64. */
export function httpApiEvent(body: string, headers: Record<string, string> = {}, isBase64Encoded = true): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: 'POST /webhook',
    rawPath: '/webhook',
    rawQueryString: '',
    headers: Object.fromEntries(Object.entries({ 'content-type': 'application/json', ...headers }).map(([k, v]) => [k.toLowerCase(), v])),
    requestContext: {} as APIGatewayProxyEventV2['requestContext'],
    body: isBase64Encoded ? Buffer.from(body).toString('base64') : body,
    isBase64Encoded,
  };
}

/** The REST API (payload 1.0) proxy event for `POST /webhooks/<source>`, as API Gateway builds it for the `{source}` route. */
export function sourceEvent(source: string, body: string | null, headers: Record<string, string> = {}, isBase64Encoded = false): APIGatewayProxyEvent {
  return { ...restEvent(body, headers, isBase64Encoded), resource: '/webhooks/{source}', path: `/webhooks/${source}`, pathParameters: { source } };
}
