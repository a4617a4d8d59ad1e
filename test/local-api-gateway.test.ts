// The local API Gateway serves every deployed route: POST /webhook and POST /webhooks/{source},
// each request shaped as API Gateway's REST proxy event for the route it matched, the Lambda
// permission checked for the execute-api ARN of the request's own path, and the sampling rule's
// URL path matched against it.
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { matchRoute, startApiGateway, type DeployedStage, type LocalApiGateway } from '../local-runtime/api-gateway';
import type { SampledRequest } from '../local-runtime/local-aws/xray-sampler';

const STAGE: DeployedStage = { restApiId: 'abc123', apiName: 'wh', stage: 'v1', routes: ['/webhook', '/webhooks/{source}'], tracingEnabled: true, region: 'us-east-1', accountId: '123456789012' };

describe('the local API Gateway’s routes', () => {
  it('matches a literal segment before a parameter, a parameter to exactly one non-empty segment, URL-decoded', () => {
    expect(matchRoute(STAGE.routes, '/webhook')).toEqual({ resourcePath: '/webhook', pathParameters: null });
    expect(matchRoute(STAGE.routes, '/webhooks/git%2Dhub')).toEqual({ resourcePath: '/webhooks/{source}', pathParameters: { source: 'git-hub' } });
    expect(matchRoute([...STAGE.routes, '/webhooks/fixed'], '/webhooks/fixed')).toEqual({ resourcePath: '/webhooks/fixed', pathParameters: null });
    for (const path of ['/webhooks/', '/webhooks', '/webhooks/a/b', '/other', '/webhookx']) expect({ path, route: matchRoute(STAGE.routes, path) }).toEqual({ path, route: undefined });
  });

  describe('serving the deployed stage', () => {
    let gateway: LocalApiGateway;
    const events: APIGatewayProxyEvent[] = [];
    const sampled: SampledRequest[] = [];
    const authorized: string[] = [];
    beforeAll(async () => {
      gateway = await startApiGateway(
        async (event) => {
          events.push(event);
          return { ok: true, result: { statusCode: 200, body: '{}' }, traceHeader: '' };
        },
        STAGE,
        {
          onSpan: () => undefined,
          sample: (request) => (sampled.push(request), { sampled: true, ruleName: 'rule', by: 'reservoir' }),
          authorizeInvoke: async (sourceArn) => (authorized.push(sourceArn), { allowed: !sourceArn.endsWith('/denied') }),
        },
      );
    });
    afterAll(() => gateway.close());

    it('invokes the function with the route’s REST proxy event, checking the permission for the request’s own path and sampling it by that path', async () => {
      expect(gateway.url).toBe(`${gateway.stageUrl}/webhook`);
      expect((await fetch(`${gateway.stageUrl}/webhooks/github`, { method: 'POST', body: '{}', headers: { 'X-GitHub-Event': 'push' } })).status).toBe(200);
      expect((await fetch(gateway.url, { method: 'POST', body: '{}' })).status).toBe(200);
      expect(events.map(({ resource, path, pathParameters, requestContext }) => ({ resource, path, pathParameters, resourcePath: requestContext.resourcePath }))).toEqual([
        { resource: '/webhooks/{source}', path: '/webhooks/github', pathParameters: { source: 'github' }, resourcePath: '/webhooks/{source}' },
        { resource: '/webhook', path: '/webhook', pathParameters: null, resourcePath: '/webhook' },
      ]);
      expect(events[0]?.headers['X-GitHub-Event']).toBe('push');
      expect(authorized).toEqual(['arn:aws:execute-api:us-east-1:123456789012:abc123/v1/POST/webhooks/github', 'arn:aws:execute-api:us-east-1:123456789012:abc123/v1/POST/webhook']);
      expect(sampled.map((request) => request.urlPath)).toEqual(['/v1/webhooks/github', '/v1/webhook']);
    });

    it('answers 403 Missing Authentication Token for a path no route serves, and 500 where the permission does not allow the invoke', async () => {
      for (const path of ['/v1/other', '/v1/webhooks/a/b', '/webhook', '/v2/webhook']) {
        const response = await fetch(`${gateway.stageUrl.replace('/v1', '')}${path}`, { method: 'POST', body: '{}' });
        expect({ path, status: response.status, body: await response.json() }).toEqual({ path, status: 403, body: { message: 'Missing Authentication Token' } });
      }
      expect((await fetch(`${gateway.stageUrl}/webhooks/denied`, { method: 'POST', body: '{}' })).status).toBe(500);
    });
  });
});
