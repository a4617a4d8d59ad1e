/** Reads the secret string: one signing secret, or several separated by commas during a rotation. */
export type SecretReader = () => Promise<string>;

export function parseSigningSecrets(secretString: string): string[] {
  const secrets = secretString
    .split(',')
    .map((secret) => secret.trim())
    .filter((secret) => secret !== '');
  if (secrets.length === 0) throw new Error('the webhook signing secret is empty');
  return secrets;
}

/**
 * The signing secrets, read once per cold start and cached. After a signature miss they may be
 * re-read, at most once per `refreshIntervalMs`, so a rotated secret takes effect without a
 * redeploy while a flood of forged requests cannot turn into a flood of Secrets Manager calls.
 */
export class SigningSecrets {
  private loaded: Promise<string[]> | undefined;
  private loadedAt = -Infinity;

  constructor(
    private readonly read: SecretReader,
    private readonly refreshIntervalMs = 60_000,
    private readonly now: () => number = Date.now,
    /** How the secret string lists the accepted secrets: its scheme's format (Stripe's comma-separated list by default). */
    private readonly parse: (secretString: string) => string[] = parseSigningSecrets,
  ) {}

  current(): Promise<string[]> {
    return this.loaded ?? this.load();
  }

  /** Fresh secrets if the last read is old enough to re-read, otherwise undefined. */
  async refreshAfterMiss(): Promise<string[] | undefined> {
    if (this.now() - this.loadedAt < this.refreshIntervalMs) return undefined;
    return this.load();
  }

  private load(): Promise<string[]> {
    this.loadedAt = this.now();
    const loading = this.read().then(this.parse);
    this.loaded = loading;
    // A failed read is not cached: the next request tries again.
    loading.catch(() => {
      if (this.loaded === loading) this.loaded = undefined;
    });
    return loading;
  }
}
