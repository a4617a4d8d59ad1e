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
