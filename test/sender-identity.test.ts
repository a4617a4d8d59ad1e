// Where each sender puts an event's identity and type, read as the producer reads it.
import { SENDERS } from '../functions/producer/senders';

const headers = (values: Record<string, string>) => ({ header: (name: string) => Object.entries(values).find(([key]) => key.toLowerCase() === name.toLowerCase())?.[1] });

describe('event identity per sender', () => {
  it('GitHub: X-GitHub-Delivery, and X-GitHub-Event with the body’s action when it has one; JSON or form-encoded (payload=)', () => {
    const request = headers({ 'X-GitHub-Delivery': 'd-1', 'X-GitHub-Event': 'pull_request' });
    expect(SENDERS.github.identify(request, '{"action":"opened","number":1}')).toEqual({ kind: 'event', id: 'd-1', type: 'pull_request.opened' });
    expect(SENDERS.github.identify(request, `payload=${encodeURIComponent('{"action":"closed"}')}`)).toEqual({ kind: 'event', id: 'd-1', type: 'pull_request.closed' });
    expect(SENDERS.github.identify(headers({ 'X-GitHub-Delivery': 'd-2', 'X-GitHub-Event': 'push' }), '{"ref":"refs/heads/main"}')).toEqual({ kind: 'event', id: 'd-2', type: 'push' });
    expect(SENDERS.github.identify(request, 'payload=not-json')).toEqual({ kind: 'invalid', reason: 'body is not valid JSON' });
  });

  it('Standard Webhooks: webhook-id, and the body’s type', () => {
    expect(SENDERS['standard-webhooks'].identify(headers({ 'webhook-id': 'msg_1' }), '{"type":"invoice.paid","data":{}}')).toEqual({ kind: 'event', id: 'msg_1', type: 'invoice.paid' });
    expect(SENDERS['standard-webhooks'].identify(headers({ 'webhook-id': 'msg_1' }), '[]')).toEqual({ kind: 'invalid', reason: 'body must be a JSON object' });
  });

  it('Shopify: X-Shopify-Event-Id before X-Shopify-Webhook-Id, X-Shopify-Topic; the body is never read (XML is stored as signed)', () => {
    expect(SENDERS.shopify.identify(headers({ 'X-Shopify-Event-Id': 'e', 'X-Shopify-Webhook-Id': 'w', 'X-Shopify-Topic': 'orders/paid' }), '<order/>')).toEqual({ kind: 'event', id: 'e', type: 'orders/paid' });
    expect(SENDERS.shopify.identify(headers({ 'X-Shopify-Webhook-Id': 'w', 'X-Shopify-Topic': 'orders/paid' }), '<order/>')).toEqual({ kind: 'event', id: 'w', type: 'orders/paid' });
  });

  it('Slack: event_callback’s event_id and event.type; url_verification a handshake with its challenge', () => {
    expect(SENDERS.slack.identify(headers({}), '{"type":"event_callback","event_id":"Ev1","event":{"type":"message"}}')).toEqual({ kind: 'event', id: 'Ev1', type: 'message' });
    expect(SENDERS.slack.identify(headers({}), '{"type":"url_verification","challenge":"abc"}')).toEqual({ kind: 'handshake', what: 'url_verification', answer: { challenge: 'abc' } });
    expect(SENDERS.slack.identify(headers({}), '{"type":"url_verification"}')).toEqual({ kind: 'invalid', reason: 'url_verification without a string challenge' });
    expect(SENDERS.slack.identify(headers({}), '{"type":"app_rate_limited","minute_rate_limited":1}')).toEqual({ kind: 'invalid', reason: 'event must have string event_id and event.type' });
  });

  it('claims an id for a rejection’s log line from where each sender puts it, bounded, never parsing the body', () => {
    const raw = (text: string) => Buffer.from(text);
    expect(SENDERS.github.claimedId({ ...headers({ 'X-GitHub-Delivery': 'abc-123' }), rawBody: raw('') })).toBe('abc-123');
    expect(SENDERS.shopify.claimedId({ ...headers({ 'X-Shopify-Webhook-Id': 'w-1' }), rawBody: raw('') })).toBe('w-1');
    expect(SENDERS['standard-webhooks'].claimedId({ ...headers({ 'webhook-id': 'msg 1 with spaces' }), rawBody: raw('') })).toBeUndefined();
    expect(SENDERS.slack.claimedId({ ...headers({}), rawBody: raw('{"type":"event_callback","event_id":"Ev9"}') })).toBe('Ev9');
    expect(SENDERS.stripe.claimedId({ ...headers({}), rawBody: raw('{"id":"evt_1","type":"x"}') })).toBe('evt_1');
  });
});
