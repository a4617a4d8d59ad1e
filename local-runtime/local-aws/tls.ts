import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A certificate for 127.0.0.1 made for one run: the local AWS endpoint serves it, its clients trust it. */
export interface LocalCertificate {
  /** PEM file for NODE_EXTRA_CA_CERTS: the certificate is its own authority. */
  certFile: string;
  cert: string;
  key: string;
  /** Removes the files. */
  remove(): void;
}

/**
 * Generates a self-signed certificate (P-256, two days) with openssl. The functions reach the local
 * AWS endpoint over TLS as they reach AWS over HTTPS, so the queue policy's `aws:SecureTransport`
 * is read from the real connection, never assumed.
 */
export function createLocalCertificate(): LocalCertificate {
  const dir = mkdtempSync(join(tmpdir(), 'local-aws-tls-'));
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  try {
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '2', '-subj', '/CN=local-aws', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'],
      { stdio: 'pipe' },
    );
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    const detail = error instanceof Error ? error.message : String(error);
    throw new Error(`openssl could not make the local AWS endpoint's TLS certificate (is openssl installed?): ${detail}`);
  }
  return {
    certFile,
    cert: readFileSync(certFile, 'utf8'),
    key: readFileSync(keyFile, 'utf8'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
