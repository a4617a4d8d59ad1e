import type { TextMapGetter, TextMapSetter } from '@opentelemetry/api';

/** A message attribute as the AWS SDK sends and receives it. */
export interface SdkMessageAttribute {
  DataType: string;
  StringValue?: string;
  BinaryValue?: Uint8Array;
}

/** A message attribute as Lambda delivers it in an SQS event record. */
export interface LambdaMessageAttribute {
  dataType: string;
  stringValue?: string;
  binaryValue?: string;
  stringListValues?: string[];
  binaryListValues?: string[];
}

export type SdkMessageAttributes = Record<string, SdkMessageAttribute>;
export type LambdaMessageAttributes = Record<string, LambdaMessageAttribute>;
export type AnyMessageAttributes = Record<string, SdkMessageAttribute | LambdaMessageAttribute>;

function stringValueOf(attribute: SdkMessageAttribute | LambdaMessageAttribute | undefined): string | undefined {
  // Hand-built or replayed events may hold anything here.
  if (typeof attribute !== 'object' || attribute === null) return undefined;
  const value = 'StringValue' in attribute ? attribute.StringValue : (attribute as LambdaMessageAttribute).stringValue;
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Finds an attribute name ignoring case: non-OTel producers write `X-Amzn-Trace-Id` or `Traceparent`. */
export function findAttributeName(attributes: AnyMessageAttributes, key: string): string | undefined {
  if (Object.prototype.hasOwnProperty.call(attributes, key)) return key;
  const wanted = key.toLowerCase();
  return Object.keys(attributes).find((name) => name.toLowerCase() === wanted);
}

/**
 * Reads string attributes of either shape (SDK `{DataType, StringValue}` or Lambda
 * `{dataType, stringValue}`), matching names case-insensitively.
 */
export const sqsAttributesGetter: TextMapGetter<AnyMessageAttributes | undefined | null> = {
  keys(carrier) {
    return carrier ? Object.keys(carrier) : [];
  },
  get(carrier, key) {
    if (!carrier) return undefined;
    const name = findAttributeName(carrier, key);
    return name === undefined ? undefined : stringValueOf(carrier[name]);
  },
};

/**
 * Writes SDK-shaped String attributes. Empty values are skipped because SQS rejects them and
 * fails the whole send; an existing attribute differing only in case is replaced so the message
 * never carries two copies of one field.
 */
export const sqsAttributesSetter: TextMapSetter<SdkMessageAttributes> = {
  set(carrier, key, value) {
    if (typeof value !== 'string' || value === '') return;
    const existing = findAttributeName(carrier, key);
    if (existing !== undefined && existing !== key) delete carrier[existing];
    carrier[key] = { DataType: 'String', StringValue: value };
  },
};
