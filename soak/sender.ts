import { stripeSignatureHeader } from '../local-runtime/webhook-client';
import { eventBody, type PlannedEvent } from './events';
import type { Rng } from './rng';

/** One HTTP request of one delivery. */
export interface Attempt {
  startedAt: number;
  endedAt: number;
  /** `200`, or why it was retried: `503 queue unavailable`, `timeout`, `connection error`, ... */
  outcome: string;
  status?: number;
  messageId?: string;
}

export interface Delivery {
  redelivery: boolean;
  attempts: Attempt[];
  /** False when the sender stopped retrying it. */
  succeeded: boolean;
}

/** Everything the sender did for one event. */
export interface EventLedger {
  event: PlannedEvent;
  deliveries: Delivery[];
  firstSendAt?: number;
}

export const accepted = (ledger: EventLedger) => ledger.deliveries.some((delivery) => delivery.succeeded);

export interface SenderOptions {
  url: string;
  secret: string;
  concurrency: number;
  redeliverRate: number;
  timeoutMs: number;
  /** Attempts per delivery before the sender gives up (Stripe retries for three days). */
  maxAttempts: number;
  /** Attempts for a forged event: it is refused every time, a few tries show that. */
  forgedAttempts: number;
  rng: Rng;
}

/** Retry delay: exponential with full jitter, capped, as webhook senders do (on a compressed clock). */
export function backoffMs(attempt: number, rng: Rng): number {
  const ceiling = Math.min(4000, 100 * 2 ** attempt);
  return Math.round(ceiling / 2 + rng.next() * (ceiling / 2));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function postOnce(url: string, body: string, secret: string, timeoutMs: number): Promise<Omit<Attempt, 'startedAt' | 'endedAt'>> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json; charset=utf-8', 'User-Agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)', 'Stripe-Signature': stripeSignatureHeader(body, secret) },
      body,
      signal: controller.signal,
    });
    const text = await response.text();
    let parsed: { messageId?: unknown; error?: unknown; message?: unknown } = {};
    try {
      parsed = JSON.parse(text) as typeof parsed;
    } catch {
      // a non-JSON answer keeps only its status
    }
    if (response.status >= 200 && response.status < 300) {
      return { outcome: String(response.status), status: response.status, ...(typeof parsed.messageId === 'string' ? { messageId: parsed.messageId } : {}) };
    }
    const reason = typeof parsed.error === 'string' ? parsed.error : typeof parsed.message === 'string' ? parsed.message : '';
    return { outcome: `${response.status} ${reason}`.trim(), status: response.status };
  } catch (error) {
    return { outcome: controller.signal.aborted ? 'timeout' : 'connection error' };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Delivers events as Stripe does: each signed at send time, retried with backoff on any non-2xx,
 * connection error or timeout, and a share delivered again later after a 2xx, so the receiver sees
 * duplicates, out of order. `pause()` lets the runner restart the producer with nothing in flight.
 */
export class StripeSender {
  readonly ledgers: EventLedger[] = [];
  private inFlight = 0;
  private paused: Promise<void> | undefined;
  private releasePause: (() => void) | undefined;
  private readonly idle = new Set<() => void>();
  private readonly redeliveries: Promise<void>[] = [];
  dispatched = 0;

  constructor(private readonly options: SenderOptions) {}

  get deliveries(): number {
    return this.ledgers.reduce((sum, ledger) => sum + ledger.deliveries.length, 0);
  }

  get attempts(): number {
    return this.ledgers.reduce((sum, ledger) => sum + ledger.deliveries.reduce((n, delivery) => n + delivery.attempts.length, 0), 0);
  }

  /** Stops starting requests and resolves once none is in flight. */
  async pause(): Promise<void> {
    if (!this.paused) this.paused = new Promise((resolve) => (this.releasePause = resolve));
    if (this.inFlight > 0) await new Promise<void>((resolve) => this.idle.add(resolve));
  }

  resume(): void {
    const release = this.releasePause;
    this.paused = undefined;
    this.releasePause = undefined;
    release?.();
  }

  private async request(body: string, secret: string): Promise<Attempt> {
    while (this.paused) await this.paused;
    this.inFlight++;
    const startedAt = Date.now();
    try {
      const result = await postOnce(this.options.url, body, secret, this.options.timeoutMs);
      return { ...result, startedAt, endedAt: Date.now() };
    } finally {
      this.inFlight--;
      if (this.inFlight === 0) for (const resolve of this.idle) resolve();
      if (this.inFlight === 0) this.idle.clear();
    }
  }

  private async deliver(ledger: EventLedger, redelivery: boolean): Promise<void> {
    const { event } = ledger;
    const forged = event.kind === 'forged';
    const secret = forged ? 'whsec_forged_not_the_endpoint_secret' : this.options.secret;
    const delivery: Delivery = { redelivery, attempts: [], succeeded: false };
    ledger.deliveries.push(delivery);
    const body = eventBody(event);
    const limit = forged ? this.options.forgedAttempts : this.options.maxAttempts;
    for (let attempt = 0; attempt < limit; attempt++) {
      if (attempt > 0) await sleep(backoffMs(attempt, this.options.rng));
      const result = await this.request(body, secret);
      ledger.firstSendAt ??= result.startedAt;
      delivery.attempts.push(result);
      if (result.status !== undefined && result.status >= 200 && result.status < 300) {
        delivery.succeeded = true;
        break;
      }
    }
    if (delivery.succeeded && !redelivery && this.options.rng.chance(this.options.redeliverRate)) {
      // Later, while other events are being delivered: the receiver sees it again, out of order.
      const delay = this.options.rng.int(200, 8000);
      this.redeliveries.push(sleep(delay).then(() => this.deliver(ledger, true)));
    }
  }

  /** Delivers every event with `concurrency` workers; `onDispatch` runs before each new event. */
  async run(events: readonly PlannedEvent[], onDispatch: (index: number) => Promise<void> = async () => undefined): Promise<void> {
    let next = 0;
    const worker = async () => {
      while (next < events.length) {
        const index = next++;
        await onDispatch(index);
        const ledger: EventLedger = { event: events[index] as PlannedEvent, deliveries: [] };
        this.ledgers.push(ledger);
        this.dispatched++;
        await this.deliver(ledger, false);
      }
    };
    await Promise.all(Array.from({ length: this.options.concurrency }, worker));
    // Redeliveries scheduled late may schedule nothing further; wait for all of them.
    for (let i = 0; i < this.redeliveries.length; i++) await this.redeliveries[i];
  }
}
