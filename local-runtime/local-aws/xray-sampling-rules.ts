// A HAND-WRITTEN FILL-IN, the one stand-in of the local AWS: moto_server 5.2 has no X-Ray
// sampling-rule API at all, so CreateSamplingRule, GetSamplingRules, UpdateSamplingRule,
// DeleteSamplingRule and the tag calls the Terraform provider makes for aws_xray_sampling_rule
// (TagResource, UntagResource, ListTagsForResource) are answered here, in memory, with the shapes
// and limits of the X-Ray API reference. It exists only because the emulator has nothing here;
// every other X-Ray call goes to the emulator. The local API Gateway samples with these rules
// (xray-sampler.ts).
import type { Answer } from './error-answers';

export interface SamplingRule {
  RuleName: string;
  RuleARN: string;
  ResourceARN: string;
  Priority: number;
  FixedRate: number;
  ReservoirSize: number;
  ServiceName: string;
  ServiceType: string;
  Host: string;
  HTTPMethod: string;
  URLPath: string;
  Version: number;
  Attributes: Record<string, string>;
}

interface RuleRecord {
  rule: SamplingRule;
  createdAt: number;
  modifiedAt: number;
}

interface Tag {
  Key: string;
  Value: string;
}

class RequestError extends Error {
  constructor(
    readonly code: 'InvalidRequestException' | 'ResourceNotFoundException' | 'RuleLimitExceededException',
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

const json = (status: number, body: unknown): Answer => ({ status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

/** X-Ray's limits on a rule's fields (API reference, SamplingRule). */
const STRING_LIMITS: Array<[keyof SamplingRule, number]> = [
  ['ServiceName', 64],
  ['ServiceType', 64],
  ['Host', 64],
  ['HTTPMethod', 10],
  ['URLPath', 128],
  ['ResourceARN', 500],
];

function validateRule(input: Record<string, unknown>): void {
  const name = input.RuleName;
  if (typeof name !== 'string' || !/^[A-Za-z0-9_-]{1,32}$/.test(name)) throw new RequestError('InvalidRequestException', 'RuleName must be 1 to 32 letters, digits, underscores or hyphens');
  for (const [field, max] of STRING_LIMITS) {
    const value = input[field];
    if (typeof value !== 'string' || value.length > max) throw new RequestError('InvalidRequestException', `${field} is required and at most ${max} characters`);
  }
  const priority = input.Priority;
  if (typeof priority !== 'number' || !Number.isInteger(priority) || priority < 1 || priority > 9999) throw new RequestError('InvalidRequestException', 'Priority must be an integer from 1 to 9999');
  const rate = input.FixedRate;
  if (typeof rate !== 'number' || rate < 0 || rate > 1) throw new RequestError('InvalidRequestException', 'FixedRate must be between 0 and 1');
  const reservoir = input.ReservoirSize;
  if (typeof reservoir !== 'number' || !Number.isInteger(reservoir) || reservoir < 0) throw new RequestError('InvalidRequestException', 'ReservoirSize must be a non-negative integer');
  if (input.Version !== 1) throw new RequestError('InvalidRequestException', 'Version must be 1');
}

/** The X-Ray sampling rules of the emulated account, with the built-in Default rule (1 request/s, then 5%). */
export class SamplingRuleStore {
  private readonly records = new Map<string, RuleRecord>();
  private readonly tags = new Map<string, Tag[]>();

  constructor(private readonly region: string, private readonly accountId: string) {
    const now = Date.now() / 1000;
    this.records.set('Default', { rule: this.defaultRule(), createdAt: now, modifiedAt: now });
  }

  private arnOf(name: string): string {
    return `arn:aws:xray:${this.region}:${this.accountId}:sampling-rule/${name}`;
  }

  private defaultRule(): SamplingRule {
    return {
      RuleName: 'Default',
      RuleARN: this.arnOf('Default'),
      ResourceARN: '*',
      Priority: 10000,
      FixedRate: 0.05,
      ReservoirSize: 1,
      ServiceName: '*',
      ServiceType: '*',
      Host: '*',
      HTTPMethod: '*',
      URLPath: '*',
      Version: 1,
      Attributes: {},
    };
  }

  /** Every rule, Default included, in the order X-Ray matches them: priority, then name. */
  rules(): SamplingRule[] {
    return [...this.records.values()].map((record) => record.rule).sort((a, b) => a.Priority - b.Priority || a.RuleName.localeCompare(b.RuleName));
  }

  private record(body: Record<string, unknown>, field = 'RuleName'): RuleRecord {
    const name = typeof body[field] === 'string' ? (body[field] as string) : undefined;
    const arn = typeof body.RuleARN === 'string' ? body.RuleARN : undefined;
    const record = [...this.records.values()].find((r) => r.rule.RuleName === name || (arn !== undefined && r.rule.RuleARN === arn));
    if (!record) throw new RequestError('InvalidRequestException', `Sampling rule does not exist: ${name ?? arn}`);
    return record;
  }

  private static view(record: RuleRecord) {
    return { SamplingRule: record.rule, CreatedAt: record.createdAt, ModifiedAt: record.modifiedAt };
  }

  /** Answers the sampling-rule and tag operations; undefined for any other X-Ray operation (the emulator's). */
  handle(operation: string, body: Record<string, unknown>): Answer | undefined {
    try {
      return this.answer(operation, body);
    } catch (error) {
      if (!(error instanceof RequestError)) throw error;
      return { status: error.status, headers: { 'content-type': 'application/json', 'x-amzn-errortype': error.code }, body: JSON.stringify({ message: error.message }) };
    }
  }

  private answer(operation: string, body: Record<string, unknown>): Answer | undefined {
    const now = Date.now() / 1000;
    switch (operation) {
      case 'CreateSamplingRule': {
        const input = (body.SamplingRule ?? {}) as Record<string, unknown>;
        validateRule(input);
        const name = input.RuleName as string;
        if (this.records.has(name)) throw new RequestError('InvalidRequestException', `A sampling rule named ${name} already exists`);
        if (this.records.size >= 25) throw new RequestError('RuleLimitExceededException', 'You have reached the maximum number of sampling rules (25)');
        const rule: SamplingRule = { ...(input as unknown as SamplingRule), RuleARN: this.arnOf(name), Attributes: (input.Attributes as Record<string, string> | undefined) ?? {} };
        const record = { rule, createdAt: now, modifiedAt: now };
        this.records.set(name, record);
        this.tags.set(rule.RuleARN, (body.Tags as Tag[] | undefined) ?? []);
        return json(200, { SamplingRuleRecord: SamplingRuleStore.view(record) });
      }
      case 'GetSamplingRules':
        return json(200, { SamplingRuleRecords: this.rules().map((rule) => SamplingRuleStore.view(this.records.get(rule.RuleName) as RuleRecord)) });
      case 'UpdateSamplingRule': {
        const update = (body.SamplingRuleUpdate ?? {}) as Record<string, unknown>;
        const record = this.record(update);
        const changes = Object.fromEntries(Object.entries(update).filter(([key, value]) => value !== undefined && key !== 'RuleName' && key !== 'RuleARN'));
        if (record.rule.RuleName === 'Default' && Object.keys(changes).some((key) => key !== 'FixedRate' && key !== 'ReservoirSize')) {
          throw new RequestError('InvalidRequestException', 'Only FixedRate and ReservoirSize of the Default rule can be changed');
        }
        const rule = { ...record.rule, ...changes } as SamplingRule;
        validateRule(rule as unknown as Record<string, unknown>);
        record.rule = rule;
        record.modifiedAt = now;
        return json(200, { SamplingRuleRecord: SamplingRuleStore.view(record) });
      }
      case 'DeleteSamplingRule': {
        const record = this.record(body);
        if (record.rule.RuleName === 'Default') throw new RequestError('InvalidRequestException', 'The Default sampling rule cannot be deleted');
        this.records.delete(record.rule.RuleName);
        this.tags.delete(record.rule.RuleARN);
        return json(200, { SamplingRuleRecord: SamplingRuleStore.view(record) });
      }
      case 'TagResource':
      case 'UntagResource':
      case 'ListTagsForResource': {
        const arn = body.ResourceARN as string;
        const tags = this.tags.get(arn);
        if (!tags) {
          // Tags of other X-Ray resources (groups) are the emulator's.
          if (!String(arn).includes(':sampling-rule/')) return undefined;
          throw new RequestError('ResourceNotFoundException', `Resource not found: ${arn}`, 404);
        }
        if (operation === 'ListTagsForResource') return json(200, { Tags: tags });
        if (operation === 'TagResource') {
          const added = (body.Tags as Tag[] | undefined) ?? [];
          this.tags.set(arn, [...tags.filter((tag) => !added.some((a) => a.Key === tag.Key)), ...added]);
        } else {
          const removed = new Set((body.TagKeys as string[] | undefined) ?? []);
          this.tags.set(arn, tags.filter((tag) => !removed.has(tag.Key)));
        }
        return json(200, {});
      }
      default:
        return undefined;
    }
  }
}
