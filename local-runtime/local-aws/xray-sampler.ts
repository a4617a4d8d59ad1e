// X-Ray's sampling decision for requests AWS traces itself: API Gateway applies the account's
// sampling rules to each request of a stage with tracing on; Lambda applies a fixed 1 request
// per second plus 5% to the traces it starts (an invocation with no upstream decision, such as
// an SQS batch of the event source mapping). Each rule: a reservoir of ReservoirSize requests
// per second, then FixedRate of the rest.
import type { SamplingRule } from './xray-sampling-rules';

/** What a rule is matched on, for a request API Gateway receives. */
export interface SampledRequest {
  /** `<rest api name>/<stage>`. */
  serviceName: string;
  /** AWS::ApiGateway::Stage. */
  serviceType: string;
  host: string;
  httpMethod: string;
  urlPath: string;
  /** arn:aws:apigateway:<region>::/restapis/<id>/stages/<stage>. */
  resourceArn: string;
}

export interface SamplingDecision {
  sampled: boolean;
  /** The rule that decided, and whether its reservoir or its fixed rate did. */
  ruleName: string;
  by: 'reservoir' | 'fixed rate';
}

/** X-Ray's wildcards: `*` any run of characters, `?` one; case-insensitive. */
export function wildcardMatch(pattern: string, value: string): boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${source}$`, 'is').test(value);
}

export function ruleMatches(rule: SamplingRule, request: SampledRequest): boolean {
  // A rule with attributes needs request attributes, which API Gateway's requests do not carry.
  if (Object.keys(rule.Attributes ?? {}).length > 0) return false;
  return (
    wildcardMatch(rule.ServiceName, request.serviceName) &&
    wildcardMatch(rule.ServiceType, request.serviceType) &&
    wildcardMatch(rule.Host, request.host) &&
    wildcardMatch(rule.HTTPMethod, request.httpMethod) &&
    wildcardMatch(rule.URLPath, request.urlPath) &&
    wildcardMatch(rule.ResourceARN, request.resourceArn)
  );
}

/** A reservoir of `perSecond` requests each second, then `fixedRate` of the others. */
export class ReservoirSampler {
  private second = -1;
  private used = 0;

  constructor(
    private readonly perSecond: () => number,
    private readonly fixedRate: () => number,
    private readonly random: () => number = Math.random,
  ) {}

  sample(nowMs = Date.now()): { sampled: boolean; by: 'reservoir' | 'fixed rate' } {
    const second = Math.floor(nowMs / 1000);
    if (second !== this.second) {
      this.second = second;
      this.used = 0;
    }
    if (this.used < this.perSecond()) {
      this.used++;
      return { sampled: true, by: 'reservoir' };
    }
    return { sampled: this.random() < this.fixedRate(), by: 'fixed rate' };
  }
}

/** Lambda's own sampling of the traces it starts: 1 request per second and 5% of the rest, not configurable. */
export function lambdaSampler(random: () => number = Math.random): ReservoirSampler {
  return new ReservoirSampler(
    () => 1,
    () => 0.05,
    random,
  );
}

/**
 * API Gateway's sampling with the account's rules: the first rule (by priority) that matches the
 * request decides, each rule with its own reservoir. The Default rule matches everything.
 */
export class XraySampler {
  private readonly reservoirs = new Map<string, ReservoirSampler>();

  constructor(
    private readonly rules: () => SamplingRule[],
    private readonly random: () => number = Math.random,
  ) {}

  decide(request: SampledRequest, nowMs = Date.now()): SamplingDecision {
    const rules = this.rules();
    const rule = rules.find((candidate) => ruleMatches(candidate, request)) ?? rules[rules.length - 1];
    if (!rule) return { sampled: false, ruleName: '(none)', by: 'fixed rate' };
    let reservoir = this.reservoirs.get(rule.RuleName);
    if (!reservoir) {
      // Read through the rule's name on each decision, so an UpdateSamplingRule applies at once.
      const current = () => this.rules().find((r) => r.RuleName === rule.RuleName) ?? rule;
      reservoir = new ReservoirSampler(() => current().ReservoirSize, () => current().FixedRate, this.random);
      this.reservoirs.set(rule.RuleName, reservoir);
    }
    return { ...reservoir.sample(nowMs), ruleName: rule.RuleName };
  }
}
