/**
 * The SQS message contract between the producer and the consumer.
 *
 * The message body is the webhook body exactly as the sender signed it, never a re-serialization
 * of the parsed event: re-serializing can overflow the stack (deep nesting), grow the text
 * (`1e20` becomes 21 digits), turn `\uFFFE` escapes into characters SQS refuses, and so change
 * what is stored. The message attribute `webhook-body-encoding` says how the body is written:
 *
 * - `verbatim`: the body is the signed text, character for character.
 * - `escaped`: the signed text holds characters SQS refuses, so each of them is written as
 *   `%uXXXX` (4 upper-case hex digits, its UTF-16 code unit) and each `%` as `%25`; every other
 *   character is kept. Used only when needed, so a body grows only by what SQS forces.
 *
 * A message without the attribute is the earlier envelope `{"eventId","type","receivedAt","payload"}`
 * (messages queued before an upgrade, or producers that write it themselves).
 */
export const BODY_ENCODING_ATTRIBUTE = 'webhook-body-encoding';

export type BodyEncoding = 'verbatim' | 'escaped';

/** Any character outside what SQS accepts in a message body: #x9 #xA #xD #x20-#xD7FF #xE000-#xFFFD #x10000-#x10FFFF. */
const OUTSIDE_SQS_CHARSET = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const OUTSIDE_SQS_CHARSET_GLOBAL = new RegExp(OUTSIDE_SQS_CHARSET.source, 'gu');

/** With the `u` flag a surrogate matches only when unpaired. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** True when `text` holds an unpaired surrogate: no UTF-8 byte sequence decodes to it. */
export function hasLoneSurrogate(text: string): boolean {
  return LONE_SURROGATE.test(text);
}

/** True when SQS accepts every character of `text` in a message body (lone surrogates included: it does not). */
export function isSqsText(text: string): boolean {
  return !OUTSIDE_SQS_CHARSET.test(text);
}

/** The signed text as an SQS message body plus the encoding to announce with it. */
export function encodeBody(text: string): { body: string; encoding: BodyEncoding } {
  if (isSqsText(text)) return { body: text, encoding: 'verbatim' };
  const body = text.replace(/%/g, '%25').replace(OUTSIDE_SQS_CHARSET_GLOBAL, (char) =>
    // A refused code point is a single BMP code unit (controls, surrogates, U+FFFE, U+FFFF).
    Array.from({ length: char.length }, (_, i) => `%u${char.charCodeAt(i).toString(16).toUpperCase().padStart(4, '0')}`).join(''),
  );
  return { body, encoding: 'escaped' };
}

export class MalformedMessageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedMessageError';
  }
}

/** The signed text back from a message body; throws MalformedMessageError when the body does not follow `encoding`. */
export function decodeBody(body: string, encoding: string): string {
  if (encoding === 'verbatim') return body;
  if (encoding !== 'escaped') throw new MalformedMessageError(`unknown ${BODY_ENCODING_ATTRIBUTE} "${encoding}"`);
  return body.replace(/%(?:25|u([0-9A-F]{4}))?/g, (match, hex: string | undefined) => {
    if (match === '%25') return '%';
    if (hex !== undefined) return String.fromCharCode(parseInt(hex, 16));
    throw new MalformedMessageError('escaped message body has a % that starts no escape');
  });
}

export interface SizedAttribute {
  DataType: string;
  StringValue?: string;
  BinaryValue?: Uint8Array;
}

/** The size SQS counts against its limit: the body plus each attribute's name, data type and value, in bytes. */
export function sqsMessageBytes(body: string, attributes: Record<string, SizedAttribute> = {}): number {
  let bytes = Buffer.byteLength(body, 'utf8');
  for (const [name, attribute] of Object.entries(attributes)) {
    bytes += Buffer.byteLength(name, 'utf8') + Buffer.byteLength(attribute.DataType, 'utf8');
    bytes += attribute.StringValue !== undefined ? Buffer.byteLength(attribute.StringValue, 'utf8') : (attribute.BinaryValue?.byteLength ?? 0);
  }
  return bytes;
}
