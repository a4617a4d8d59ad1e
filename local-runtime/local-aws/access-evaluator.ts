import { getDenialReasons, runSimulation, type RequestAnalysis, type Simulation } from '@cloud-copilot/iam-simulate';
import type { NamedPolicy, PolicyDocument } from './policy-store';

export type ContextValues = Record<string, string | string[]>;

/** One authorization AWS makes: a principal, an action on a resource, the request's context, and the policies that apply. */
export interface AccessRequest {
  /** An assumed-role session ARN, or a service principal (apigateway.amazonaws.com). */
  principal: string;
  action: string;
  resource: string;
  /** The account that owns the resource. */
  resourceAccount: string;
  context: ContextValues;
  /** The principal's identity-based policies (inline and attached); none for a service principal. */
  identity: readonly NamedPolicy[];
  boundary?: NamedPolicy | undefined;
  /** The resource's own policy: queue policy, key policy, secret policy, function policy. */
  resourcePolicy?: PolicyDocument | undefined;
}

export interface AccessDecision {
  allowed: boolean;
  /** The sentence AWS answers a denial with, naming the principal, the action and the resource. */
  message?: string;
}

const ENCRYPTION_CONTEXT = /^kms:encryptioncontext:/i;
/**
 * iam-simulate 0.1.x keeps only context keys it can match to the action's condition keys, and it
 * matches variable keys only in the `/` form (aws:PrincipalTag/<key>): `kms:EncryptionContext:<key>`
 * would be dropped, and a condition on it would evaluate as if the key were absent. So both the
 * request's encryption context and the policies' conditions on it are carried under one
 * `/`-form global key the library does evaluate, with the same operators and values.
 */
const CARRIER = 'aws:RequestTag/kms-encryption-context:';

function carryContextKey(key: string): string {
  return ENCRYPTION_CONTEXT.test(key) ? CARRIER + key.replace(ENCRYPTION_CONTEXT, '') : key;
}

function carryConditions(statement: unknown): unknown {
  if (typeof statement !== 'object' || statement === null) return statement;
  const { Condition, ...rest } = statement as { Condition?: Record<string, Record<string, unknown>> };
  if (!Condition) return statement;
  const carried = Object.fromEntries(
    Object.entries(Condition).map(([operator, keys]) => [operator, Object.fromEntries(Object.entries(keys ?? {}).map(([key, value]) => [carryContextKey(key), value]))]),
  );
  return { ...rest, Condition: carried };
}

/** The policy as the simulator reads it (see CARRIER). */
export function forSimulation(policy: PolicyDocument): PolicyDocument {
  const statements = Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement];
  return { ...policy, Statement: statements.map(carryConditions) };
}

function contextForSimulation(context: ContextValues): ContextValues {
  return Object.fromEntries(Object.entries(context).map(([key, value]) => [carryContextKey(key), value]));
}

const EXPLICIT: Record<string, string> = {
  identity: 'with an explicit deny in an identity-based policy',
  resource: 'with an explicit deny in a resource-based policy',
  pb: 'with an explicit deny in a permissions boundary',
};

/**
 * AWS's own wording of why: an explicit deny and where, or which kind of policy allows nothing. A
 * service principal (sns.amazonaws.com) has no identity policy: only a resource policy could have
 * allowed it.
 */
function denialReason(analysis: RequestAnalysis | undefined, action: string, servicePrincipal: boolean): string {
  if (!analysis) return `because no ${servicePrincipal ? 'resource' : 'identity'}-based policy allows the ${action} action`;
  const reasons = getDenialReasons(analysis);
  const explicit = reasons.find((reason) => reason.denialType === 'Explicit');
  if (explicit) return EXPLICIT[explicit.policyType] ?? `with an explicit deny in a ${explicit.policyType} policy`;
  if (servicePrincipal) return `because no resource-based policy allows the ${action} action`;
  const types = new Set(reasons.map((reason) => reason.policyType));
  const identityAllows = (analysis.identityAnalysis?.allowStatements.length ?? 0) > 0;
  // A key policy that allows nothing (and does not delegate to IAM) is named as such, as KMS does.
  if (types.has('resource') && (identityAllows || !types.has('identity'))) return `because no resource-based policy allows the ${action} action`;
  if (types.has('pb') && (identityAllows || !types.has('identity'))) return `because no permissions boundary allows the ${action} action`;
  return `because no identity-based policy allows the ${action} action`;
}

/**
 * Authorizations evaluated by iam-simulate (identity, resource and boundary policies with their
 * conditions, KMS key policy semantics), never by code of ours. Decisions are kept until `clear()`,
 * keyed by the request and the policies it was evaluated against.
 */
export class AccessEvaluator {
  private decisions = new Map<string, Promise<AccessDecision>>();
  /** Simulations actually run (the rest were answered from the cache). */
  simulations = 0;

  clear(): void {
    this.decisions = new Map();
  }

  evaluate(request: AccessRequest): Promise<AccessDecision> {
    // The policies are part of the key: an authorization that read a role before a change and is
    // evaluated after clear() must not leave its decision for the calls that read the new policy
    // (it did: a removed statement stayed allowed until the next change).
    const key = JSON.stringify([request.principal, request.action, request.resource, request.context, request.identity, request.resourcePolicy ?? null, request.boundary ?? null]);
    const decisions = this.decisions;
    let decision = decisions.get(key);
    if (!decision) {
      decision = this.simulate(request);
      decisions.set(key, decision);
      decision.catch(() => decisions.get(key) === decision && decisions.delete(key));
    }
    return decision;
  }

  private async simulate(request: AccessRequest): Promise<AccessDecision> {
    this.simulations++;
    const simulation: Simulation = {
      request: {
        principal: request.principal,
        action: request.action,
        resource: { resource: request.resource, accountId: request.resourceAccount },
        contextVariables: contextForSimulation(request.context),
      },
      identityPolicies: request.identity.map((named) => ({ name: named.name, policy: forSimulation(named.policy) })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(request.resourcePolicy ? { resourcePolicy: forSimulation(request.resourcePolicy) } : {}),
      ...(request.boundary ? { permissionBoundaryPolicies: [{ name: request.boundary.name, policy: forSimulation(request.boundary.policy) }] } : {}),
    };
    const result = await runSimulation(simulation, {});
    const denied = (reason: string): AccessDecision => ({
      allowed: false,
      message: `User: ${request.principal} is not authorized to perform: ${request.action} on resource: ${request.resource} ${reason}`,
    });
    if (result.resultType === 'error') return denied(`(the local AWS could not evaluate this request: ${result.errors.message})`);
    if (result.overallResult === 'Allowed') return { allowed: true };
    const analysis = result.resultType === 'single' ? result.result.analysis : result.results[0]?.analysis;
    return denied(denialReason(analysis, request.action, !request.principal.startsWith('arn:')));
  }
}
