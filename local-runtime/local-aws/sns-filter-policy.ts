// SNS subscription filter policies on message attributes (FilterPolicyScope MessageAttributes),
// as SNS applies them when it delivers: every key of the policy must match one of its conditions.
// The operators SNS documents for attribute policies: exact strings and numbers, prefix, suffix,
// equals-ignore-case, anything-but (values or a prefix), numeric ranges and exists. Anything else
// (MessageBody scope, $or, cidr) is refused by name rather than guessed.

/** A message attribute as the Publish call carried it. */
export interface FilteredAttribute {
  DataType: string;
  StringValue?: string;
}

export class UnsupportedFilterPolicy extends Error {
  constructor(what: string) {
    super(`the local SNS does not evaluate ${what} in a filter policy`);
    this.name = 'UnsupportedFilterPolicy';
  }
}

type Condition = unknown;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The values an attribute offers a policy: a String.Array's elements, a Number as a number, else the string. */
function valuesOf(attribute: FilteredAttribute): Array<string | number> {
  const text = attribute.StringValue ?? '';
  if (attribute.DataType.startsWith('String.Array')) {
    try {
      const parsed = JSON.parse(text) as unknown;
      return Array.isArray(parsed) ? parsed.filter((item): item is string | number => typeof item === 'string' || typeof item === 'number') : [];
    } catch {
      return [];
    }
  }
  if (attribute.DataType.startsWith('Number')) {
    const number = Number(text);
    return Number.isFinite(number) ? [number] : [];
  }
  return [text];
}

function numericMatch(value: string | number, range: unknown[]): boolean {
  if (typeof value !== 'number') return false;
  for (let i = 0; i + 1 < range.length; i += 2) {
    const [operator, bound] = [range[i], range[i + 1]];
    if (typeof bound !== 'number') throw new UnsupportedFilterPolicy(`numeric bound ${JSON.stringify(bound)}`);
    const ok = { '=': value === bound, '<': value < bound, '<=': value <= bound, '>': value > bound, '>=': value >= bound }[String(operator)];
    if (ok === undefined) throw new UnsupportedFilterPolicy(`numeric operator ${JSON.stringify(operator)}`);
    if (!ok) return false;
  }
  return true;
}

function anythingBut(value: string | number, excluded: unknown): boolean {
  if (isObject(excluded)) {
    if (typeof excluded.prefix === 'string') return !(typeof value === 'string' && value.startsWith(excluded.prefix));
    throw new UnsupportedFilterPolicy(`anything-but ${JSON.stringify(excluded)}`);
  }
  const list = Array.isArray(excluded) ? excluded : [excluded];
  return !list.some((item) => item === value);
}

/** Whether one value meets one condition of the policy. */
function meets(value: string | number, condition: Condition): boolean {
  if (typeof condition === 'string' || typeof condition === 'number') return value === condition;
  if (!isObject(condition)) throw new UnsupportedFilterPolicy(`the condition ${JSON.stringify(condition)}`);
  const [operator, operand] = Object.entries(condition)[0] ?? [];
  switch (operator) {
    case 'prefix':
      return typeof value === 'string' && typeof operand === 'string' && value.startsWith(operand);
    case 'suffix':
      return typeof value === 'string' && typeof operand === 'string' && value.endsWith(operand);
    case 'equals-ignore-case':
      return typeof value === 'string' && typeof operand === 'string' && value.toLowerCase() === operand.toLowerCase();
    case 'anything-but':
      return anythingBut(value, operand);
    case 'numeric':
      return Array.isArray(operand) && numericMatch(value, operand);
    default:
      throw new UnsupportedFilterPolicy(`the operator ${JSON.stringify(operator)}`);
  }
}

/**
 * Whether a message with these attributes passes the policy (a JSON object of attribute name to
 * a list of conditions). A missing attribute passes only `{"exists": false}`; a present one
 * passes `{"exists": true}` or any other condition it meets. Throws UnsupportedFilterPolicy for
 * what this does not evaluate.
 */
export function matchesFilterPolicy(policy: unknown, attributes: Readonly<Record<string, FilteredAttribute>>): boolean {
  if (!isObject(policy)) throw new UnsupportedFilterPolicy('a policy that is not a JSON object');
  return Object.entries(policy).every(([name, conditions]) => {
    if (name.startsWith('$')) throw new UnsupportedFilterPolicy(`the key ${name}`);
    const list: Condition[] = Array.isArray(conditions) ? conditions : isObject(conditions) ? [conditions] : [conditions];
    const attribute = attributes[name];
    return list.some((condition) => {
      if (isObject(condition) && 'exists' in condition) return condition.exists === (attribute !== undefined);
      if (isObject(condition) && !Array.isArray(condition) && Object.keys(condition).length > 1) throw new UnsupportedFilterPolicy(`the condition ${JSON.stringify(condition)}`);
      return attribute !== undefined && valuesOf(attribute).some((value) => meets(value, condition));
    });
  });
}
