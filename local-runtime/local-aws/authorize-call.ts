import type { AccessEvaluator, ContextValues } from './access-evaluator';
import type { AwsRequest } from './aws-request';
import { actionsOf, type Target } from './call-targets';
import { accessDeniedShape, kmsDeniedShape, type ErrorShape } from './error-answers';
import type { RoleSession } from './identity';
import { dynamodbKmsCalls, kmsContext, secretsKmsCalls, snsKmsCalls, sqsKmsCalls, type ImpliedKmsCall } from './kms-implications';
import type { PolicyDocument, PolicyStore, RolePolicies } from './policy-store';

/** A refusal the endpoint gave: kept for the tests, the demo and whoever wonders why a call failed. */
export interface Denial {
  at: number;
  principal: string;
  service: string;
  operation: string;
  /** The action refused: the call's own, or the KMS action the service needed on the caller's behalf. */
  action: string;
  resource: string;
  /** Set when the refused action is a KMS call a service made for the caller (kms:ViaService). */
  viaService?: string;
  message: string;
}

export type CallVerdict = { allowed: true } | { allowed: false; shape: ErrorShape; denial: Denial };

export interface AuthorizeDeps {
  store: PolicyStore;
  evaluator: AccessEvaluator;
  region: string;
  accountId: string;
}

interface ResolvedTarget {
  arn: string;
  policy: PolicyDocument | undefined;
  kms: ImpliedKmsCall[];
}

const accountOf = (arn: string, fallback: string) => (arn.split(':')[4] || fallback);

/** The resource's ARN and policy from the emulator, and the KMS calls the service makes for this operation on it. */
async function resolveTarget(target: Target, request: AwsRequest, deps: AuthorizeDeps): Promise<ResolvedTarget> {
  const { store, region, accountId } = deps;
  const op = request.operation;
  switch (target.kind) {
    case 'queue': {
      const queue = await store.queue(target.name);
      const arn = queue?.arn ?? `arn:aws:sqs:${region}:${accountId}:${target.name}`;
      return { arn, policy: queue?.policy, kms: queue?.kmsKeyId ? sqsKmsCalls(op, arn, queue.kmsKeyId, region) : [] };
    }
    case 'table': {
      const table = await store.table(target.name);
      const arn = table?.arn ?? `arn:aws:dynamodb:${region}:${accountId}:table/${target.name}`;
      return { arn, policy: table?.policy, kms: table?.kmsKeyId ? dynamodbKmsCalls(op, target.name, table.kmsKeyId, region, accountId) : [] };
    }
    case 'secret': {
      const secret = await store.secret(target.id);
      const arn = secret?.arn ?? (target.id.startsWith('arn:') ? target.id : `arn:aws:secretsmanager:${region}:${accountId}:secret:${target.id}`);
      return { arn, policy: secret?.policy, kms: secret?.kmsKeyId ? secretsKmsCalls(op, arn, secret.kmsKeyId, region) : [] };
    }
    case 'topic': {
      const topic = await store.topic(target.arn);
      return { arn: topic?.arn ?? target.arn, policy: topic?.policy, kms: topic?.kmsKeyId ? snsKmsCalls(op, target.arn, topic.kmsKeyId, region) : [] };
    }
    case 'key': {
      const key = await store.key(target.id);
      return { arn: key?.arn ?? target.id, policy: key?.policy, kms: [] };
    }
    case 'arn':
      return { arn: target.arn, policy: undefined, kms: [] };
    case 'none':
      return { arn: '*', policy: undefined, kms: [] };
  }
}

function requestContext(request: AwsRequest, session: RoleSession, deps: AuthorizeDeps): ContextValues {
  return {
    'aws:SecureTransport': String(request.secure),
    'aws:PrincipalArn': session.roleArn,
    'aws:PrincipalAccount': accountOf(session.roleArn, deps.accountId),
    'aws:RequestedRegion': request.region || deps.region,
  };
}

/**
 * Authorizes one call of a role session as AWS would: each action the call needs against the role's
 * policies, its boundary and the resource's policy; then each KMS call the service makes for it,
 * against the role and the key policy. The first refusal is answered in the service's own shape.
 */
export async function authorizeCall(request: AwsRequest, session: RoleSession, deps: AuthorizeDeps): Promise<CallVerdict> {
  const deny = (shape: ErrorShape, action: string, resource: string, viaService?: string): CallVerdict => ({
    allowed: false,
    shape,
    denial: { at: Date.now(), principal: session.principalArn, service: request.service, operation: request.operation, action, resource, message: shape.message, ...(viaService ? { viaService } : {}) },
  });
  const actions = actionsOf(request, deps.region, deps.accountId);
  if (!actions) {
    const message = `User: ${session.principalArn} is not authorized to perform: ${request.method} ${request.path} (the local AWS knows no IAM action for this ${request.service} call, so it refuses it)`;
    return deny(accessDeniedShape(request.service, message), `${request.service}:?`, '*');
  }
  const role: RolePolicies = await deps.store.role(session.roleName);
  const base = { principal: session.principalArn, identity: role.identity, boundary: role.boundary };
  const context = requestContext(request, session, deps);
  const implied: ImpliedKmsCall[] = [];
  for (const { action, target } of actions) {
    const resolved = await resolveTarget(target, request, deps);
    const decision = await deps.evaluator.evaluate({ ...base, action, resource: resolved.arn, resourceAccount: accountOf(resolved.arn, deps.accountId), context, resourcePolicy: resolved.policy });
    if (!decision.allowed) return deny(accessDeniedShape(request.service, decision.message ?? ''), action, resolved.arn);
    implied.push(...resolved.kms);
  }
  const seen = new Set<string>();
  for (const call of implied) {
    const id = JSON.stringify(call);
    if (seen.has(id)) continue;
    seen.add(id);
    const key = await deps.store.key(call.keyId);
    // AWS managed keys (aws/sqs, aws/dynamodb, ...) let every principal of the account use them through their service.
    if (key?.awsManaged) continue;
    const keyArn = key?.arn ?? call.keyId;
    const decision = key
      ? await deps.evaluator.evaluate({ ...base, action: call.action, resource: keyArn, resourceAccount: accountOf(keyArn, deps.accountId), context: kmsContext(call, deps.accountId), resourcePolicy: key.policy })
      : { allowed: false, message: `Key '${call.keyId}' does not exist` };
    if (!decision.allowed) return deny(kmsDeniedShape(request.service, decision.message ?? ''), call.action, keyArn, call.viaService);
  }
  return { allowed: true };
}

/** One action of a role session outside any API call the endpoint sees (the X-Ray daemon's upload with the function's role). */
export async function authorizeSessionAction(session: RoleSession, action: string, resource: string, deps: AuthorizeDeps): Promise<{ allowed: boolean; message?: string }> {
  const role = await deps.store.role(session.roleName);
  return deps.evaluator.evaluate({
    principal: session.principalArn,
    identity: role.identity,
    boundary: role.boundary,
    action,
    resource,
    resourceAccount: deps.accountId,
    context: { 'aws:SecureTransport': 'true', 'aws:PrincipalArn': session.roleArn, 'aws:PrincipalAccount': deps.accountId, 'aws:RequestedRegion': deps.region },
  });
}
