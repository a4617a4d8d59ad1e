// The local AWS's decision cache: a decision made against a policy read before a change must not
// answer a call evaluated against the policy after it (a removed statement stayed allowed).
import { AccessEvaluator, type AccessRequest } from '../local-runtime/local-aws/access-evaluator';

const request = (statements: object[]): AccessRequest => ({
  principal: 'arn:aws:sts::123456789012:assumed-role/consumer/consumer',
  action: 'kms:Decrypt',
  resource: 'arn:aws:kms:us-east-1:123456789012:key/k1',
  resourceAccount: '123456789012',
  context: {},
  identity: [{ name: 'inline', policy: { Version: '2012-10-17', Statement: statements } as AccessRequest['identity'][number]['policy'] }],
  resourcePolicy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::123456789012:root' }, Action: 'kms:*', Resource: '*' }] } as AccessRequest['resourcePolicy'],
});

describe('access decisions cache', () => {
  it('answers from the cache only for the same policies', async () => {
    const evaluator = new AccessEvaluator();
    const allow = request([{ Sid: 'DecryptQueueMessages', Effect: 'Allow', Action: 'kms:Decrypt', Resource: '*' }]);
    const removed = request([{ Sid: 'Other', Effect: 'Allow', Action: 'sqs:ReceiveMessage', Resource: '*' }]);
    expect((await evaluator.evaluate(allow)).allowed).toBe(true);
    // The statement removed, and this decision evaluated before the endpoint's clear(): the
    // earlier decision must not answer it.
    expect((await evaluator.evaluate(removed)).allowed).toBe(false);
    expect((await evaluator.evaluate(allow)).allowed).toBe(true);
    expect(evaluator.simulations).toBe(2);
  });
});
