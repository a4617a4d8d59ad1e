import { sqsAttributesGetter, sqsAttributesSetter, type SdkMessageAttributes } from '../functions/lib/sqs-carrier';

describe('SQS message attribute carrier', () => {
  it('reads the SDK shape and the Lambda shape', () => {
    const sdk = { traceparent: { DataType: 'String', StringValue: 'sdk-value' } };
    const lambda = { traceparent: { dataType: 'String', stringValue: 'lambda-value', stringListValues: [], binaryListValues: [] } };
    expect(sqsAttributesGetter.get(sdk, 'traceparent')).toBe('sdk-value');
    expect(sqsAttributesGetter.get(lambda, 'traceparent')).toBe('lambda-value');
  });

  it('matches names case-insensitively and lists keys', () => {
    const carrier = { 'X-Amzn-Trace-Id': { dataType: 'String', stringValue: 'Root=1-abc' } };
    expect(sqsAttributesGetter.get(carrier, 'x-amzn-trace-id')).toBe('Root=1-abc');
    expect(sqsAttributesGetter.keys(carrier)).toEqual(['X-Amzn-Trace-Id']);
    expect(sqsAttributesGetter.get(carrier, 'traceparent')).toBeUndefined();
    expect(sqsAttributesGetter.get(undefined, 'traceparent')).toBeUndefined();
    expect(sqsAttributesGetter.keys(null)).toEqual([]);
  });

  it('treats an empty or binary attribute as absent', () => {
    expect(sqsAttributesGetter.get({ traceparent: { DataType: 'String', StringValue: '' } }, 'traceparent')).toBeUndefined();
    expect(sqsAttributesGetter.get({ traceparent: { dataType: 'Binary', binaryValue: 'AAE=' } }, 'traceparent')).toBeUndefined();
  });

  it('writes SDK-shaped String attributes and never an empty value', () => {
    const carrier: SdkMessageAttributes = {};
    sqsAttributesSetter.set(carrier, 'traceparent', '00-abc-def-01');
    sqsAttributesSetter.set(carrier, 'tracestate', '');
    expect(carrier).toEqual({ traceparent: { DataType: 'String', StringValue: '00-abc-def-01' } });
  });

  it('replaces an attribute that differs only in case instead of adding a second one', () => {
    const carrier: SdkMessageAttributes = { 'X-Amzn-Trace-Id': { DataType: 'String', StringValue: 'old' } };
    sqsAttributesSetter.set(carrier, 'x-amzn-trace-id', 'new');
    expect(carrier).toEqual({ 'x-amzn-trace-id': { DataType: 'String', StringValue: 'new' } });
  });
});
