import { parseSigningSecrets } from '../signing-secrets';

/**
 * A JSON array of strings, `["old","new"]`: the rotation format every scheme accepts, and the only
 * one for GitHub, whose secrets may hold any character (a comma included). Undefined when the
 * value is not written as an array.
 */
function jsonArrayOfSecrets(secretString: string): string[] | undefined {
  const trimmed = secretString.trim();
  if (!trimmed.startsWith('[')) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    throw new Error('the webhook signing secret starts with [ but is not a JSON array');
  }
  if (!Array.isArray(parsed) || !parsed.every((secret): secret is string => typeof secret === 'string' && secret !== '')) {
    throw new Error('the webhook signing secret must be a JSON array of non-empty strings');
  }
  if (parsed.length === 0) throw new Error('the webhook signing secret is empty');
  return parsed;
}

/** Secrets that never hold a comma (Slack, Shopify, Standard Webhooks): several separated by commas, or a JSON array. */
export function listedSecrets(secretString: string): string[] {
  return jsonArrayOfSecrets(secretString) ?? parseSigningSecrets(secretString);
}

/** Secrets that may hold any character (GitHub): the whole string is one secret, untrimmed, unless it is a JSON array. */
export function wholeOrListedSecrets(secretString: string): string[] {
  const listed = jsonArrayOfSecrets(secretString);
  if (listed) return listed;
  if (secretString === '') throw new Error('the webhook signing secret is empty');
  return [secretString];
}
