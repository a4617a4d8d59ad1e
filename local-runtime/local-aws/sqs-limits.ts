// What SQS refuses in a message that moto_server accepts: characters outside its set, and a
// message (body plus attributes, counted as SQS counts them) over the queue's MaximumMessageSize.
// The local AWS endpoint applies it to SendMessage and SendMessageBatch; the producer's fuzz tests
// use the same code through test/support/strict-sqs.ts.

/**
 * SQS accepts only #x9 #xA #xD #x20-#xD7FF #xE000-#xFFFD #x10000-#x10FFFF in a body or a String
 * attribute value; a lone surrogate is outside the set too.
 */
export function sqsRefuses(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
      return true;
    }
    const allowed = unit === 0x9 || unit === 0xa || unit === 0xd || (unit >= 0x20 && unit <= 0xd7ff) || (unit >= 0xe000 && unit <= 0xfffd);
    if (!allowed) return true;
  }
  return false;
}

/** A message attribute as the SDK and the JSON protocol carry it (BinaryValue base64 on the wire, bytes in the SDK). */
export interface WireMessageAttribute {
  DataType?: string;
  StringValue?: string;
  BinaryValue?: string | Uint8Array;
}

/** One message to send: SendMessage's input, or one SendMessageBatch entry. */
export interface WireMessage {
  MessageBody?: string;
  MessageAttributes?: Record<string, WireMessageAttribute>;
}

/** SQS's own refusal: its error code (as the query protocol names it) and message. */
export interface SqsRefusal {
  code: 'InvalidParameterValue' | 'InvalidMessageContents' | 'MissingParameter';
  message: string;
}

const VALID_CHARACTERS = 'Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF';

function binaryBytes(value: string | Uint8Array | undefined): number {
  if (value === undefined) return 0;
  return typeof value === 'string' ? Buffer.from(value, 'base64').byteLength : value.byteLength;
}

/** The size SQS counts: the body plus, per attribute, its name, its data type and its value, in UTF-8 bytes. */
export function sqsMessageSize(message: WireMessage): number {
  let bytes = Buffer.byteLength(message.MessageBody ?? '', 'utf8');
  for (const [name, attribute] of Object.entries(message.MessageAttributes ?? {})) {
    bytes += Buffer.byteLength(name, 'utf8') + Buffer.byteLength(attribute.DataType ?? '', 'utf8');
    bytes += attribute.StringValue !== undefined ? Buffer.byteLength(attribute.StringValue, 'utf8') : binaryBytes(attribute.BinaryValue);
  }
  return bytes;
}

/** Why SQS would refuse this message on a queue whose MaximumMessageSize is `maxBytes`, or undefined when it would take it. */
export function sqsMessageRefusal(message: WireMessage, maxBytes: number): SqsRefusal | undefined {
  const body = message.MessageBody;
  if (body === undefined || body === '') return { code: 'MissingParameter', message: 'The request must contain the parameter MessageBody.' };
  if (sqsRefuses(body)) return { code: 'InvalidMessageContents', message: `Invalid characters found. ${VALID_CHARACTERS}` };
  const attributes = Object.entries(message.MessageAttributes ?? {});
  if (attributes.length > 10) return { code: 'InvalidParameterValue', message: `Number of message attributes [${attributes.length}] exceeds the allowed maximum [10].` };
  for (const [name, attribute] of attributes) {
    if (name === '' || /^(aws\.|amazon\.)/i.test(name)) return { code: 'InvalidParameterValue', message: `Message (user) attribute name '${name}' is reserved or invalid.` };
    if (!attribute.DataType) return { code: 'InvalidParameterValue', message: `The message attribute '${name}' must contain a non-empty attribute type.` };
    const empty = attribute.StringValue === undefined ? binaryBytes(attribute.BinaryValue) === 0 : attribute.StringValue === '';
    if (empty) return { code: 'InvalidParameterValue', message: `The message attribute '${name}' must contain a non-empty message attribute value.` };
    if (attribute.StringValue !== undefined && sqsRefuses(attribute.StringValue)) {
      return { code: 'InvalidMessageContents', message: `Invalid characters found in the message attribute '${name}'. ${VALID_CHARACTERS}` };
    }
  }
  const size = sqsMessageSize(message);
  if (size > maxBytes) return { code: 'InvalidParameterValue', message: `One or more parameters are invalid. Reason: Message must be shorter than ${maxBytes} bytes.` };
  return undefined;
}
