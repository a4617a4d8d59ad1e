import { SENDERS } from '../functions/producer/senders';
import { SigningSecrets, parseSigningSecrets } from '../functions/producer/signing-secrets';

describe('SigningSecrets', () => {
  it('splits a rotation value on commas and trims it', () => {
    expect(parseSigningSecrets(' whsec_a , whsec_b,')).toEqual(['whsec_a', 'whsec_b']);
    expect(() => parseSigningSecrets(' , ')).toThrow('empty');
  });

  it('reads once per cold start', async () => {
    let reads = 0;
    const secrets = new SigningSecrets(async () => `whsec_${++reads}`);
    await Promise.all([secrets.current(), secrets.current()]);
    expect(await secrets.current()).toEqual(['whsec_1']);
    expect(reads).toBe(1);
  });

  it('re-reads after a miss at most once a minute', async () => {
    let clock = 0;
    let reads = 0;
    const secrets = new SigningSecrets(async () => `whsec_${++reads}`, 60_000, () => clock);
    await secrets.current();
    clock = 59_999;
    expect(await secrets.refreshAfterMiss()).toBeUndefined();
    clock = 60_000;
    expect(await secrets.refreshAfterMiss()).toEqual(['whsec_2']);
    expect(await secrets.refreshAfterMiss()).toBeUndefined();
    expect(await secrets.current()).toEqual(['whsec_2']);
    expect(reads).toBe(2);
  });

  it('does not cache a failed read', async () => {
    let attempt = 0;
    const secrets = new SigningSecrets(async () => {
      attempt += 1;
      if (attempt === 1) throw new Error('throttled');
      return 'whsec_ok';
    });
    await expect(secrets.current()).rejects.toThrow('throttled');
    expect(await secrets.current()).toEqual(['whsec_ok']);
  });
});

describe('each scheme’s secret format, several while rotating', () => {
  it('Stripe: comma-separated whsec_ secrets, as before', () => {
    expect(SENDERS.stripe.parseSecrets('whsec_a,whsec_b')).toEqual(['whsec_a', 'whsec_b']);
  });

  it('GitHub: the whole string is one secret (commas and spaces included, untrimmed) unless it is a JSON array', () => {
    expect(SENDERS.github.parseSecrets(' my secret, with a comma ')).toEqual([' my secret, with a comma ']);
    expect(SENDERS.github.parseSecrets('["old, one","new"]')).toEqual(['old, one', 'new']);
    expect(() => SENDERS.github.parseSecrets('')).toThrow('empty');
    expect(() => SENDERS.github.parseSecrets('[not json')).toThrow('not a JSON array');
    expect(() => SENDERS.github.parseSecrets('[]')).toThrow('empty');
    expect(() => SENDERS.github.parseSecrets('["",1]')).toThrow('JSON array of non-empty strings');
  });

  it.each(['slack', 'shopify'] as const)('%s: comma-separated, or a JSON array', (scheme) => {
    expect(SENDERS[scheme].parseSecrets(' abc , def ')).toEqual(['abc', 'def']);
    expect(SENDERS[scheme].parseSecrets('["abc","def"]')).toEqual(['abc', 'def']);
  });

  it('Standard Webhooks: whsec_ + base64 (the prefix optional), each one decoded when read, so a malformed one fails the read', () => {
    const key = Buffer.from('0123456789abcdef01234567').toString('base64');
    expect(SENDERS['standard-webhooks'].parseSecrets(`whsec_${key},${key}`)).toEqual([`whsec_${key}`, key]);
    expect(() => SENDERS['standard-webhooks'].parseSecrets('whsec_not base64!')).toThrow('whsec_ followed by base64');
    expect(() => SENDERS['standard-webhooks'].parseSecrets('whsec_')).toThrow('whsec_ followed by base64');
  });

  it('reads a source’s secret with its scheme’s format', async () => {
    const secrets = new SigningSecrets(async () => 'one, secret', 60_000, Date.now, SENDERS.github.parseSecrets);
    expect(await secrets.current()).toEqual(['one, secret']);
  });
});
