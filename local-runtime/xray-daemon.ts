import { createSocket, type Socket } from 'node:dgram';
import { decodeTraceRequest } from './otlp-decode';
import type { SpanRecord } from './span-file';

/**
 * What the ADOT layer writes to AWS_XRAY_DAEMON_ADDRESS inside Lambda (no OTLP endpoint set):
 * one UDP datagram per export, a JSON header line, then `T1S` (sampled) or `T1U` (unsampled) and
 * the base64 of an OTLP ExportTraceServiceRequest in protobuf.
 */
const HEADER = '{"format":"json","version":1}\n';
const PREFIXES = { T1S: true, T1U: false } as const;

export interface DaemonDatagram {
  sampled: boolean;
  /** The OTLP ExportTraceServiceRequest, protobuf. */
  payload: Buffer;
}

/** Splits one datagram; anything else (another format, a segment document) is an error. */
export function parseDatagram(datagram: Buffer): DaemonDatagram {
  const text = datagram.toString('utf8');
  if (!text.startsWith(HEADER)) throw new Error(`not an OTLP datagram: header ${JSON.stringify(text.slice(0, 40))}`);
  const prefix = text.slice(HEADER.length, HEADER.length + 3);
  if (!(prefix in PREFIXES)) throw new Error(`unknown signal prefix ${JSON.stringify(prefix)} (expected T1S or T1U)`);
  return { sampled: PREFIXES[prefix as keyof typeof PREFIXES], payload: Buffer.from(text.slice(HEADER.length + 3), 'base64') };
}

export function decodeDatagram(datagram: Buffer): SpanRecord[] {
  const { sampled, payload } = parseDatagram(datagram);
  return decodeTraceRequest(payload).map((record) => ({ ...record, sampled }));
}

export interface LocalXrayDaemon {
  /** host:port, the value of AWS_XRAY_DAEMON_ADDRESS for the functions. */
  address: string;
  /** Datagrams that could not be read, with the reason: a test asserts there are none. */
  readonly rejected: string[];
  close(): Promise<void>;
}

/**
 * The X-Ray daemon's part, which Lambda runs beside every function: receives the layer's
 * datagrams on a loopback UDP port and hands over the decoded spans.
 */
export function startXrayDaemon(onSpans: (records: SpanRecord[]) => void): Promise<LocalXrayDaemon> {
  // A large receive buffer: a burst of invocations flushes many datagrams at once.
  const socket: Socket = createSocket({ type: 'udp4', recvBufferSize: 8 * 1024 * 1024 });
  const rejected: string[] = [];
  socket.on('message', (datagram) => {
    try {
      onSpans(decodeDatagram(datagram));
    } catch (error) {
      rejected.push(error instanceof Error ? error.message : String(error));
    }
  });
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => {
      socket.off('error', reject);
      let closed: Promise<void> | undefined;
      resolve({
        address: `127.0.0.1:${socket.address().port}`,
        rejected,
        close: () => (closed ??= new Promise<void>((done) => socket.close(() => done()))),
      });
    });
  });
}
