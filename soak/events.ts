import { Rng } from './rng';

export type EventKind = 'normal' | 'poison' | 'forged';

/** One Stripe event the soak will deliver; its body is rebuilt from these fields on every delivery. */
export interface PlannedEvent {
  index: number;
  id: string;
  type: string;
  kind: EventKind;
  /** Approximate body size in bytes. */
  bytes: number;
  created: number;
  fillerSeed: number;
}

const TYPES = [
  'payment_intent.succeeded',
  'payment_intent.payment_failed',
  'charge.succeeded',
  'charge.refunded',
  'invoice.paid',
  'invoice.payment_failed',
  'customer.created',
  'customer.updated',
  'customer.subscription.updated',
  'checkout.session.completed',
] as const;

export const MIN_BYTES = 300;
export const MAX_BYTES = 100 * 1024;
/**
 * In a poison event's id. The gate refuses everything it can know to be unstorable (ids over
 * 2,048 bytes, events over one DynamoDB item), so a poison event is an ordinary, valid, signed
 * event that the table side refuses: the fault proxy answers its every PutItem with a
 * ValidationException, as a table-side rule the producer cannot see would.
 */
export const POISON_MARKER = '_poison_';

/**
 * The events of one run: distinct types, sizes log-uniform from a few hundred bytes to 100 KiB,
 * a share of poison events (valid and signed, refused by the table side) and of forged ones
 * (signed with a wrong secret). At least one poison event when the rate is above zero.
 */
export function planEvents(count: number, rng: Rng, runTag: string, rates: { poisonRate: number; forgedRate: number }): PlannedEvent[] {
  const events: PlannedEvent[] = [];
  const created = Math.floor(Date.now() / 1000);
  for (let index = 0; index < count; index++) {
    const roll = rng.next();
    const kind: EventKind = roll < rates.poisonRate ? 'poison' : roll < rates.poisonRate + rates.forgedRate ? 'forged' : 'normal';
    events.push({
      index,
      id: `evt_${runTag}${kind === 'poison' ? POISON_MARKER : '_'}${String(index).padStart(6, '0')}`,
      type: rng.pick(TYPES),
      kind,
      bytes: rng.logUniform(MIN_BYTES, MAX_BYTES),
      created,
      fillerSeed: rng.int(0, 2 ** 31),
    });
  }
  const ensure = (kind: EventKind, rate: number, position: number) => {
    if (rate <= 0 || events.some((event) => event.kind === kind) || events.length < 3) return;
    const target = events[Math.min(events.length - 1, Math.floor(events.length * position))] as PlannedEvent;
    target.kind = kind;
    if (kind === 'poison') target.id = `evt_${runTag}${POISON_MARKER}${String(target.index).padStart(6, '0')}`;
  };
  // Early: its receives, a visibility timeout apart, overlap the rest of the sending.
  ensure('poison', rates.poisonRate, 0.02);
  ensure('forged', rates.forgedRate, 0.5);
  return events;
}

/** The event as Stripe would send it, padded with metadata to its planned size. */
export function eventBody(event: PlannedEvent): string {
  const filler = new Rng(event.fillerSeed);
  const chunk = Array.from({ length: 64 }, () => 'abcdefghijklmnopqrstuvwxyz0123456789'[filler.int(0, 35)]).join('');
  const base = {
    id: event.id,
    object: 'event',
    api_version: '2025-10-29',
    created: event.created,
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type: event.type,
    data: { object: { id: `obj_${event.id.slice(4)}`, object: event.type.split('.')[0], amount: 1000 + (event.fillerSeed % 100_000), currency: 'eur', metadata: { note: '' } } },
  };
  const overhead = Buffer.byteLength(JSON.stringify(base));
  const padding = Math.max(0, event.bytes - overhead);
  base.data.object.metadata.note = chunk.repeat(Math.ceil(padding / chunk.length)).slice(0, padding);
  return JSON.stringify(base);
}
