import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yauzl from 'yauzl';

/** Every entry of a zip, by name. */
export function readZip(path: string): Promise<Map<string, Buffer>> {
  return new Promise((resolvePromise, reject) => {
    yauzl.open(path, { lazyEntries: true }, (openError, zip) => {
      if (openError || !zip) return reject(openError);
      const entries = new Map<string, Buffer>();
      zip.on('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (streamError, stream) => {
          if (streamError || !stream) return reject(streamError);
          const chunks: Buffer[] = [];
          stream.on('data', (chunk: Buffer) => chunks.push(chunk));
          stream.on('end', () => {
            entries.set(entry.fileName, Buffer.concat(chunks));
            zip.readEntry();
          });
        });
      });
      zip.on('end', () => resolvePromise(entries));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

/** Unpacks a function zip into a fresh folder, as Lambda does into /var/task. */
export async function unpackFunction(zipPath: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'task-'));
  for (const [name, content] of await readZip(zipPath)) writeFileSync(join(dir, name), content);
  return dir;
}

/** Lambda's CodeSha256: base64 of the zip's SHA-256. */
export function codeSha256(zipPath: string): string {
  return createHash('sha256').update(readFileSync(zipPath)).digest('base64');
}
