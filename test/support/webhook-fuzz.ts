import { createHmac } from 'node:crypto';
import { sqsRefuses } from '../../local-runtime/local-aws/sqs-limits';

/** mulberry32: a tiny seeded PRNG, so every fuzz run with one seed builds the same cases. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// SQS's character set, as the local AWS endpoint applies it (#x9 #xA #xD #x20-#xD7FF #xE000-#xFFFD
// #x10000-#x10FFFF, code point by code point, deliberately not the producer's regular expression).
export { sqsRefuses };

/** Stripe's scheme over raw bytes (the official helper takes a string, so it cannot sign invalid UTF-8). */
export function signBytes(body: Uint8Array, secret: string, timestamp: number): string {
  const signature = createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');
  return `t=${timestamp},v1=${signature}`;
}

export interface FuzzCase {
  label: string;
  /** The bytes the sender signs. */
  bytes: Buffer;
  /** The proxy event's `body` as API Gateway hands it over (a string can only carry well-formed text). */
  body: string;
  base64: boolean;
  /** Set when the body is a valid event that fits with room to spare: anything but 2xx is a defect. */
  mustAccept: boolean;
}

const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/**
 * The oracle, stated independently of the producer: a body must be accepted when it is a JSON
 * object with non-empty, well-formed string `id` (at most 2,048 UTF-8 bytes) and `type`, within
 * `maxBodyBytes`, and its message (escaped when SQS refuses a character: `%` and each refused
 * character grow by 2 and 3 bytes) leaves 1 KiB for attributes under `maxMessageBytes`.
 */
export function mustAccept(text: string, maxBodyBytes: number, maxMessageBytes: number): boolean {
  let event: unknown;
  try {
    event = JSON.parse(text);
  } catch {
    return false;
  }
  if (typeof event !== 'object' || event === null || Array.isArray(event)) return false;
  const { id, type } = event as Record<string, unknown>;
  if (typeof id !== 'string' || typeof type !== 'string' || id === '' || type === '') return false;
  if (LONE_SURROGATE.test(id) || LONE_SURROGATE.test(type) || Buffer.byteLength(id) > 2048) return false;
  const bytes = Buffer.byteLength(text);
  if (bytes > maxBodyBytes) return false;
  const refused = [...text].filter(sqsRefuses).length;
  const messageBytes = refused === 0 ? bytes : bytes + 2 * (text.split('%').length - 1) + 3 * refused;
  return messageBytes + 1024 <= maxMessageBytes;
}

type Random = () => number;
const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
const int = (random: Random, min: number, max: number) => min + Math.floor(random() * (max - min + 1));

/** JSON fragments that a re-serializing producer changes, or that SQS refuses when unescaped. */
const NASTY_STRING_PARTS = [
  'plain', '10% off', '%uFFFE', '%25', 'caf\u00e9', '\u{1F600}', '\u4e2d\u6587', '\\uFFFE', '\\uFFFF', '\\ud800', '\\udc00x', '\\u0000',
  '\\u001f', '\\"', '\\\\', '\\/', '\u007f', '\ufffe', '\uffff', '\ufffd', '\u2028', '\ue000', '\u{10FFFF}', '\\t',
] as const;
const NASTY_NUMBERS = ['1e20', '1E+20', '-0', '0.10', '1.0', '123456789012345678901234567890', '5e-324', '-1.7976931348623157e308', '0e0', '2000'] as const;

function nastyString(random: Random): string {
  return Array.from({ length: int(random, 0, 6) }, () => pick(random, NASTY_STRING_PARTS)).join('');
}

function nastyValue(random: Random, depth: number): string {
  const roll = random();
  if (depth > 3 || roll < 0.35) return `"${nastyString(random)}"`;
  if (roll < 0.6) return pick(random, NASTY_NUMBERS);
  if (roll < 0.65) return pick(random, ['true', 'false', 'null']);
  if (roll < 0.8) return `[ ${Array.from({ length: int(random, 0, 3) }, () => nastyValue(random, depth + 1)).join(' ,')} ]`;
  return `{${Array.from({ length: int(random, 0, 3) }, (_, i) => `"k${i}${nastyString(random)}":${nastyValue(random, depth + 1)}`).join(',')}}`;
}

function deeplyNested(random: Random): string {
  const depth = int(random, 1000, 6000);
  return random() < 0.5 ? `${'['.repeat(depth)}${pick(random, NASTY_NUMBERS)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

function eventId(random: Random): string {
  if (random() < 0.7) return `"evt_${Math.floor(random() * 1e12).toString(36)}"`;
  return pick(random, [
    '""', '42', 'null', '["evt_1"]', `"${'x'.repeat(2048)}"`, `"${'x'.repeat(2049)}"`, `"${'\u00e9'.repeat(1024)}"`, `"${'\u00e9'.repeat(1025)}"`,
    '"evt_\\ud800"', '"evt_\\ud83d\\ude00"', '"evt_\ufffe"', '"evt_%u0041"',
  ]);
}

/** Inserts a byte sequence no UTF-8 decoder may accept (lone byte, overlong, surrogate, truncated, beyond U+10FFFF). */
function withInvalidUtf8(random: Random, text: string): Buffer {
  const bad = pick(random, [[0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0xf4, 0x90, 0x80, 0x80], [0x80]]);
  const bytes = Buffer.from(text, 'utf8');
  const quote = bytes.indexOf(0x22, Math.floor(random() * bytes.length));
  const at = quote === -1 ? bytes.indexOf(0x22) + 1 : quote + 1;
  return Buffer.concat([bytes.subarray(0, at), Buffer.from(bad), bytes.subarray(at)]);
}

/** Pads an event to about `target` bytes with one string field of `unit`. */
function padded(id: string, unit: string, target: number, extra = ''): string {
  const head = `{"id":${id},"type":"invoice.paid"${extra},"pad":"`;
  const tail = '"}';
  const room = Math.max(0, target - Buffer.byteLength(head + tail, 'utf8'));
  const unitBytes = Buffer.byteLength(unit, 'utf8');
  return head + unit.repeat(Math.floor(room / unitBytes)) + tail;
}

/** One random webhook body for a producer with these limits. */
export function fuzzCase(random: Random, maxBodyBytes: number, maxMessageBytes: number): FuzzCase {
  const id = eventId(random);
  const kind = pick(random, ['event', 'event', 'event', 'nested', 'near-limit', 'invalid-utf8', 'lone-surrogate-string', 'not-an-event'] as const);
  const label = `${kind} (id ${id.slice(0, 24)})`;
  let text: string;
  switch (kind) {
    case 'nested':
      text = `{"id":${id},"type":"deep","data":${deeplyNested(random)}}`;
      break;
    case 'near-limit': {
      const unit = pick(random, ['a', '%', '\ufffe', '\u00e9', '1e20', '\u{1F600}', '\\uFFFF']);
      text = padded(id, unit, maxBodyBytes + int(random, -64, 64), random() < 0.5 ? `,"n":[${'1e20,'.repeat(int(random, 0, 50))}0],"r":"\uffff"` : '');
      break;
    }
    case 'not-an-event':
      text = pick(random, ['', 'not json', '[1,2]', '"evt"', `{"id":${id}}`, `{"id":${id},"type":7}`, `\ufeff{"id":${id},"type":"t"}`, `{"id":${id},"type":"t"} trailing`]);
      break;
    default:
      text = `{"id":${id},"object":"event","type":"${random() < 0.9 ? nastyString(random) || 'invoice.paid' : ''}","data":${nastyValue(random, 0)}}`;
  }
  if (kind === 'invalid-utf8') {
    const bytes = withInvalidUtf8(random, text);
    return { label, bytes, body: bytes.toString('base64'), base64: true, mustAccept: false };
  }
  if (kind === 'lone-surrogate-string') {
    // Only a string body can hold a lone surrogate; the sender signed what Buffer.from makes of it.
    const body = text.includes('"id"') ? text.replace('"id"', '"\ud800id"') : `${text}\ud800`;
    return { label, bytes: Buffer.from(body, 'utf8'), body, base64: false, mustAccept: false };
  }
  const bytes = Buffer.from(text, 'utf8');
  const base64 = random() < 0.3;
  return { label, bytes, body: base64 ? bytes.toString('base64') : text, base64, mustAccept: mustAccept(text, maxBodyBytes, maxMessageBytes) };
}
