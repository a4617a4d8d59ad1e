import { DEFAULT_SOURCE_NAME, sourceEventKey } from '../../functions/webhook-identity';

/** What where-is and redrive know of a deployment's sources (the module's webhook_sources output). */
export type DeploymentSources = Record<string, { keyPrefix: string }>;

/** One event as the pipeline knows it: the source it came in on, its sender's id, and its table key. */
export interface EventRef {
  source: string;
  id: string;
  key: string;
  /** The /webhook source (its events keep bare keys; log lines from before sources existed name no source). */
  isDefault: boolean;
}

/**
 * The event `id` of `source` (the /webhook source, named stripe, when none is given). With the
 * deployment's sources known, a source it does not serve is an error naming those it does;
 * without (flags, or an older deployment's outputs), stripe keeps the bare id and any other
 * source its `<source>#` prefix.
 */
export function eventRef(id: string, source: string | undefined, sources: DeploymentSources | undefined): EventRef {
  const names = sources ? Object.keys(sources) : [];
  if (sources && source === undefined && !(DEFAULT_SOURCE_NAME in sources)) {
    throw new Error(`this deployment serves no /webhook source: name the event's source with --source (${names.join(', ')})`);
  }
  const name = source ?? DEFAULT_SOURCE_NAME;
  if (sources && !(name in sources)) throw new Error(`unknown source ${name}: this deployment serves ${names.join(', ')}`);
  const keyPrefix = sources?.[name]?.keyPrefix ?? (name === DEFAULT_SOURCE_NAME ? '' : sourceEventKey(name, ''));
  return { source: name, id, key: `${keyPrefix}${id}`, isDefault: keyPrefix === '' };
}
