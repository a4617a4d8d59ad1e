import type { APIGatewayProxyResult } from 'aws-lambda';

export function jsonResponse(statusCode: number, body: unknown, headers: Record<string, string> = {}): APIGatewayProxyResult {
  return { statusCode, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };
}

/** Error bodies carry a short reason only: never a stack, a secret or an internal detail. */
export function errorResponse(statusCode: number, reason: string, headers: Record<string, string> = {}): APIGatewayProxyResult {
  return jsonResponse(statusCode, { error: reason }, headers);
}
