// The mutation cases of the end-to-end test: each statement of each function's deployed policy,
// the path that needs it, and what AWS must answer when it is gone.
import { wildcardMatch } from '../../local-runtime/local-aws/xray-sampler';
import type { Denial } from '../../local-runtime/local-aws';

export interface PolicyStatement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PolicyDocument {
  Version: string;
  Statement: PolicyStatement[];
}

/** The paths that exercise a function's permissions. */
export type MutationPath =
  /** A signed webhook: the producer sends it to the queue (SQS, and KMS through SQS). */
  | 'send'
  /** A producer cold start, then a webhook: it reads the signing secret (Secrets Manager, and KMS through it). */
  | 'cold-start'
  /** A function's log lines delivered to its log group with its role. */
  | 'logs'
  /** The event source mapping polls the queue with the consumer's role (SQS, and KMS through SQS). */
  | 'poll'
  /** A message reaches the consumer, which writes it to the table (DynamoDB, and KMS through DynamoDB). */
  | 'write';

export interface MutationCase {
  fn: 'producer' | 'consumer';
  statement: PolicyStatement;
  path: MutationPath;
  /** Set when only this one resource of the statement is removed (a statement naming each source's secret). */
  resource?: string;
  /** The webhook source whose request needs the removed resource. */
  source?: string;
}

const list = (value: string | string[] | undefined) => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/** The kms:ViaService a statement is limited to ("sqs", "dynamodb", "secretsmanager"), if any. */
export function viaServiceOf(statement: PolicyStatement): string | undefined {
  const via = list(statement.Condition?.StringEquals?.['kms:ViaService'])[0];
  return via?.split('.')[0];
}

/**
 * Which path needs the statement. A statement this does not know fails the test: a new statement
 * needs a case that shows it is needed.
 */
export function pathOf(fn: MutationCase['fn'], statement: PolicyStatement): MutationPath {
  const actions = list(statement.Action);
  const has = (prefix: string) => actions.some((action) => action.startsWith(prefix));
  const via = viaServiceOf(statement);
  if (has('logs:')) return 'logs';
  if (fn === 'producer') {
    if (has('sqs:SendMessage') || (has('kms:') && via === 'sqs')) return 'send';
    if (has('secretsmanager:GetSecretValue') || (has('kms:') && via === 'secretsmanager')) return 'cold-start';
  } else {
    if (has('sqs:ReceiveMessage') || (has('kms:') && via === 'sqs')) return 'poll';
    if (has('dynamodb:PutItem') || (has('kms:') && via === 'dynamodb')) return 'write';
  }
  throw new Error(`no mutation case for the ${fn}'s statement ${statement.Sid ?? JSON.stringify(statement)}: add the path that needs it to test/support/policy-mutations.ts`);
}

/**
 * Every statement of both inline policies, as a case; and for a statement that names several
 * secrets (one per webhook source), each secret removed alone, as a case of the source that
 * reads it (`sourceOfSecret`): least privilege per source, not only per statement.
 */
export function mutationCases(policies: Record<MutationCase['fn'], PolicyDocument>, sourceOfSecret: (arn: string) => string | undefined = () => undefined): MutationCase[] {
  return (['producer', 'consumer'] as const).flatMap((fn) =>
    policies[fn].Statement.flatMap((statement) => {
      const whole: MutationCase = { fn, statement, path: pathOf(fn, statement) };
      const resources = list(statement.Resource);
      if (!list(statement.Action).includes('secretsmanager:GetSecretValue') || resources.length < 2) return [whole];
      return [
        whole,
        ...resources.map((resource): MutationCase => {
          const source = sourceOfSecret(resource);
          if (source === undefined) throw new Error(`no webhook source reads the secret ${resource} of ${statement.Sid}: the producer's policy names a secret it never needs`);
          return { fn, statement, path: 'cold-start', resource, source };
        }),
      ];
    }),
  );
}

/** The policy without the statement, or without only one of its resources. */
export function without(policy: PolicyDocument, statement: PolicyStatement, resource?: string): PolicyDocument {
  if (resource === undefined) return { ...policy, Statement: policy.Statement.filter((candidate) => candidate !== statement) };
  return { ...policy, Statement: policy.Statement.map((candidate) => (candidate === statement ? { ...candidate, Resource: list(candidate.Resource).filter((r) => r !== resource) } : candidate)) };
}

/** What a case takes away: the whole statement, or the statement narrowed to its one removed resource. */
export function removedPart(testCase: MutationCase): PolicyStatement {
  return testCase.resource === undefined ? testCase.statement : { ...testCase.statement, Resource: [testCase.resource] };
}

/**
 * Whether a denial is the one the missing statement causes: one of its actions on one of its
 * resources (through its kms:ViaService, if it names one), with AWS's sentence naming both.
 */
export function deniedBy(statement: PolicyStatement, denial: Denial): boolean {
  const actionMatches = list(statement.Action).some((action) => wildcardMatch(action, denial.action));
  const resourceMatches = list(statement.Resource).some((resource) => wildcardMatch(resource, denial.resource));
  const via = viaServiceOf(statement);
  const viaMatches = via === undefined ? denial.viaService === undefined : denial.viaService?.startsWith(`${via}.`) === true;
  return actionMatches && resourceMatches && viaMatches && denial.message.includes(`is not authorized to perform: ${denial.action} on resource: ${denial.resource}`);
}

/** The cases in an order fixed by `seed` (Fisher-Yates over a seeded generator), so a failing order can be replayed. */
export function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}
