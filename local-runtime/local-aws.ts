// The local AWS endpoint: one HTTP(S) endpoint in front of moto_server that refuses what a real
// account refuses and the emulator does not. Every call a function makes, and the calls the event
// source mapping makes with the consumer's role, is authorized against what is deployed (the role's
// policies and boundary, the resource's policy, and the KMS calls the service makes on the caller's
// behalf against the key policy); SQS messages are held to the queue's size and character set;
// Secrets Manager's scheduled-deletion refusal has AWS's shape; X-Ray sampling rules, which moto
// lacks, are filled in; SNS's Publish is answered and delivered to the subscribed queues here, as SNS's
// service principal against each queue's policy and key. Terraform and the test harness sign as
// the account's admin and pass through.
// Layers (the soak's fault injection) sit between the checks and the emulator.
import { SQSClient } from '@aws-sdk/client-sqs';
import { createServer as createHttpServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Agent as HttpsAgent, createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import { AccessEvaluator } from './local-aws/access-evaluator';
import { mayChangeAccess, parseAwsRequest, type AwsRequest } from './local-aws/aws-request';
import { authorizeCall, authorizeSessionAction, type AuthorizeDeps, type Denial } from './local-aws/authorize-call';
import { errorAnswer, unrecognizedClientShape, type Answer, type ErrorShape } from './local-aws/error-answers';
import { ACCOUNT_ID, ADMIN_CREDENTIALS, CredentialRegistry, roleNameOf, type Caller, type RoleSession, type SessionCredentials } from './local-aws/identity';
import { PolicyStore } from './local-aws/policy-store';
import { scheduledForDeletionRefusal } from './local-aws/secrets-deletion';
import { SnsDelivery } from './local-aws/sns-delivery';
import { sqsMessageRefusal, sqsMessageSize, type WireMessage } from './local-aws/sqs-limits';
import { createLocalCertificate, type LocalCertificate } from './local-aws/tls';
import { SamplingRuleStore } from './local-aws/xray-sampling-rules';

export type { Denial } from './local-aws/authorize-call';
export type { RoleSession } from './local-aws/identity';
export type { SnsDeliveryRecord } from './local-aws/sns-delivery';

/** The switch for a run that wants the emulator alone: LOCAL_AWS_ENFORCE=off. */
export const ENFORCE_ENV = 'LOCAL_AWS_ENFORCE';

export function enforcementFromEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = (env[ENFORCE_ENV] ?? 'on').toLowerCase();
  if (!['on', 'off', 'true', 'false', '1', '0'].includes(value)) throw new Error(`${ENFORCE_ENV} must be on or off, not ${env[ENFORCE_ENV]}`);
  return !['off', 'false', '0'].includes(value);
}

/** One call as a layer sees it: the parsed request and who made it. */
export interface AwsCall {
  request: AwsRequest;
  caller: Caller;
}

/**
 * Something between the checks and the emulator (the soak's fault injection). `handle` returns
 * true when it took the call over: it then answers it itself, or calls `forward()` (once) for the
 * emulator's answer, now or later.
 */
export interface LocalAwsLayer {
  handle(call: AwsCall, response: ServerResponse, forward: () => void): boolean;
}

export interface LocalAwsOptions {
  motoEndpoint: string;
  region: string;
  /** IAM, KMS, SQS limits (and, read by the runtime, sampling and Lambda permissions); off: the emulator alone. */
  enforce: boolean;
  layers?: LocalAwsLayer[];
}

/** The SDK settings of a client of the endpoint: admin over HTTP, or a role session over TLS. */
export interface AwsClientSettings {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  requestHandler?: { httpsAgent: HttpsAgent };
}

/** A refusal that is not an authorization (an SQS limit, Secrets Manager's deletion window). */
export interface Refusal {
  at: number;
  service: string;
  operation: string;
  code: string;
  message: string;
}

const readBody = (request: IncomingMessage) =>
  new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });

function send(response: ServerResponse, answer: Answer): void {
  if (response.headersSent || response.destroyed) return;
  response.writeHead(answer.status, { ...answer.headers, 'content-length': String(Buffer.byteLength(answer.body)) });
  response.end(answer.body);
}

interface BatchEntry extends WireMessage {
  Id?: string;
}

/**
 * SQS's checks of a send: a SendMessage over the limit is refused whole; in a SendMessageBatch each
 * bad entry fails on its own (the others are sent), and a batch over the limit in total is refused.
 */
function sqsSendCheck(request: AwsRequest, maxBytes: number): { refuse: ErrorShape } | { failed: Array<Record<string, unknown>>; body: Buffer } | undefined {
  if (request.operation === 'SendMessage') {
    const refusal = sqsMessageRefusal(request.params as WireMessage, maxBytes);
    if (!refusal) return undefined;
    const type = refusal.code === 'InvalidMessageContents' ? 'com.amazonaws.sqs#InvalidMessageContents' : `com.amazonaws.sqs#${refusal.code}`;
    return { refuse: { code: refusal.code, type, queryCode: refusal.code, status: 400, message: refusal.message } };
  }
  if (request.operation !== 'SendMessageBatch') return undefined;
  const entries = (request.params.Entries as BatchEntry[] | undefined) ?? [];
  const total = entries.reduce((sum, entry) => sum + sqsMessageSize(entry), 0);
  if (total > maxBytes) {
    return {
      refuse: {
        code: 'BatchRequestTooLong',
        type: 'com.amazonaws.sqs#BatchRequestTooLong',
        queryCode: 'AWS.SimpleQueueService.BatchRequestTooLong',
        status: 400,
        message: `Batch requests cannot be longer than ${maxBytes} bytes. You have sent ${total} bytes.`,
      },
    };
  }
  const failed: Array<Record<string, unknown>> = [];
  const kept = entries.filter((entry) => {
    const refusal = sqsMessageRefusal(entry, maxBytes);
    if (refusal) failed.push({ Id: entry.Id, SenderFault: true, Code: refusal.code, Message: refusal.message });
    return !refusal;
  });
  if (failed.length === 0) return undefined;
  return { failed, body: Buffer.from(JSON.stringify({ ...request.params, Entries: kept })) };
}

export class LocalAws {
  /** Every authorization refused (IAM or KMS), in order. */
  readonly denials: Denial[] = [];
  /** Every other refusal of AWS's the emulator lacks (SQS size and characters, secret deletion window). */
  readonly refusals: Refusal[] = [];
  readonly samplingRules: SamplingRuleStore;
  readonly policies: PolicyStore;
  readonly evaluator = new AccessEvaluator();
  /** SNS's Publish and its delivery to subscribed queues, with enforcement on (see local-aws/sns-delivery.ts). */
  readonly sns: SnsDelivery;
  private readonly registry: CredentialRegistry;
  private readonly layers: LocalAwsLayer[];
  private readonly sockets = new Set<Socket>();
  private readonly httpsAgent: HttpsAgent;
  private http: Server | undefined;
  private https: Server | undefined;
  endpoint = '';
  tlsEndpoint = '';

  private constructor(
    private readonly options: LocalAwsOptions,
    readonly certificate: LocalCertificate,
  ) {
    this.samplingRules = new SamplingRuleStore(options.region, ACCOUNT_ID);
    this.policies = new PolicyStore(options.motoEndpoint, options.region, ACCOUNT_ID);
    this.registry = new CredentialRegistry(options.motoEndpoint, options.region);
    this.sns = new SnsDelivery({
      store: this.policies,
      evaluator: this.evaluator,
      region: options.region,
      accountId: ACCOUNT_ID,
      sqs: new SQSClient({ endpoint: options.motoEndpoint, region: options.region, credentials: { ...ADMIN_CREDENTIALS } }),
      motoEndpoint: options.motoEndpoint,
      onDenial: (denial) => this.denials.push(denial),
      onRefusal: (refusal) => this.refusals.push({ at: Date.now(), ...refusal }),
    });
    this.layers = [...(options.layers ?? [])];
    this.httpsAgent = new HttpsAgent({ ca: certificate.cert, keepAlive: true });
  }

  get enforce(): boolean {
    return this.options.enforce;
  }

  get region(): string {
    return this.options.region;
  }

  get accountId(): string {
    return ACCOUNT_ID;
  }

  get motoEndpoint(): string {
    return this.options.motoEndpoint;
  }

  /** Starts the endpoint on two free loopback ports: plain HTTP (Terraform, the harness) and TLS (the functions, the mapping). */
  static async start(options: LocalAwsOptions): Promise<LocalAws> {
    const localAws = new LocalAws(options, createLocalCertificate());
    try {
      localAws.http = createHttpServer((req, res) => void localAws.serve(req, res, false));
      localAws.https = createHttpsServer({ cert: localAws.certificate.cert, key: localAws.certificate.key }, (req, res) => void localAws.serve(req, res, true));
      for (const server of [localAws.http, localAws.https]) {
        server.keepAliveTimeout = 60_000;
        // Sockets kept alive by the SDK clients would otherwise hold close() open.
        server.on('connection', (socket: Socket) => {
          localAws.sockets.add(socket);
          socket.on('close', () => localAws.sockets.delete(socket));
        });
        server.on('secureConnection', (socket: Socket) => {
          localAws.sockets.add(socket);
          socket.on('close', () => localAws.sockets.delete(socket));
        });
      }
      localAws.endpoint = `http://127.0.0.1:${await listen(localAws.http)}`;
      localAws.tlsEndpoint = `https://127.0.0.1:${await listen(localAws.https)}`;
      return localAws;
    } catch (error) {
      await localAws.close();
      throw error;
    }
  }

  addLayer(layer: LocalAwsLayer): void {
    this.layers.push(layer);
  }

  /** Temporary credentials for a role from the emulator's STS; calls signed with them are that role session's. */
  assumeRole(roleArn: string, sessionName: string): Promise<RoleSession> {
    return this.registry.assumeRole(roleArn, sessionName);
  }

  /**
   * Whether a service (lambda.amazonaws.com) may assume the role for a resource of this account:
   * the role's trust policy alone decides, with aws:SourceAccount and aws:SourceArn as the
   * service sets them.
   */
  async authorizeServiceAssumeRole(roleArn: string, servicePrincipal: string, sourceArn: string): Promise<{ allowed: boolean; message?: string }> {
    if (!this.enforce) return { allowed: true };
    const role = await this.policies.role(roleNameOf(roleArn));
    const decision = await this.evaluator.evaluate({
      principal: servicePrincipal,
      action: 'sts:AssumeRole',
      resource: roleArn,
      resourceAccount: ACCOUNT_ID,
      identity: [],
      resourcePolicy: role.trust,
      context: { 'aws:SourceAccount': ACCOUNT_ID, 'aws:SourceArn': sourceArn },
    });
    if (!decision.allowed) this.denials.push({ at: Date.now(), principal: servicePrincipal, service: 'sts', operation: 'AssumeRole', action: 'sts:AssumeRole', resource: roleArn, message: decision.message ?? '' });
    return decision;
  }

  /** Client settings for the account's admin (plain HTTP: Terraform and the harness are not evaluated). */
  adminClientConfig(): AwsClientSettings {
    return { endpoint: this.endpoint, region: this.region, credentials: { ...ADMIN_CREDENTIALS } };
  }

  /** Client settings for a role session over TLS, trusting the endpoint's certificate (in this process). */
  sessionClientConfig(credentials: SessionCredentials): AwsClientSettings {
    return { endpoint: this.tlsEndpoint, region: this.region, credentials, requestHandler: { httpsAgent: this.httpsAgent } };
  }

  /** Forgets every policy and decision read so far. The endpoint does this itself when a call through it may change access. */
  invalidate(): void {
    this.policies.invalidate();
    this.evaluator.clear();
  }

  private get deps(): AuthorizeDeps {
    return { store: this.policies, evaluator: this.evaluator, region: this.region, accountId: ACCOUNT_ID };
  }

  /**
   * Whether API Gateway may invoke the function for a request whose execute-api ARN is `sourceArn`:
   * only the function's resource policy (its Lambda permissions) can allow it.
   */
  async authorizeInvoke(functionName: string, sourceArn: string): Promise<{ allowed: boolean; message?: string }> {
    if (!this.enforce) return { allowed: true };
    const fn = await this.policies.lambdaFunction(functionName);
    const decision = await this.evaluator.evaluate({
      principal: 'apigateway.amazonaws.com',
      action: 'lambda:InvokeFunction',
      resource: fn.arn,
      resourceAccount: ACCOUNT_ID,
      identity: [],
      resourcePolicy: fn.policy,
      context: { 'aws:SourceArn': sourceArn, 'aws:SourceAccount': ACCOUNT_ID },
    });
    if (!decision.allowed) {
      this.denials.push({ at: Date.now(), principal: 'apigateway.amazonaws.com', service: 'lambda', operation: 'Invoke', action: 'lambda:InvokeFunction', resource: fn.arn, message: decision.message ?? '' });
    }
    return decision;
  }

  /** Whether a role session may do `action` outside an API call (the X-Ray daemon uploading a function's spans). */
  async authorizeSession(session: RoleSession, action: string, resource = '*'): Promise<{ allowed: boolean; message?: string }> {
    if (!this.enforce) return { allowed: true };
    const decision = await authorizeSessionAction(session, action, resource, this.deps);
    if (!decision.allowed) this.denials.push({ at: Date.now(), principal: session.principalArn, service: action.split(':')[0] ?? '', operation: action, action, resource, message: decision.message ?? '' });
    return decision;
  }

  private async serve(req: IncomingMessage, res: ServerResponse, secure: boolean): Promise<void> {
    let request: AwsRequest;
    try {
      const body = await readBody(req);
      request = parseAwsRequest({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body, secure });
    } catch {
      if (!res.headersSent) res.writeHead(400).end();
      return;
    }
    const caller = this.registry.callerOf(request.accessKeyId);
    try {
      if (request.service === 'xray') {
        const filled = this.samplingRules.handle(request.operation, request.params);
        if (filled) return send(res, filled);
      }
      let body = request.body;
      let failedEntries: Array<Record<string, unknown>> = [];
      if (this.enforce) {
        if (caller.kind === 'unknown' && request.accessKeyId !== undefined) return send(res, errorAnswer(request, unrecognizedClientShape(request.service)));
        if (caller.kind === 'role') {
          const verdict = await authorizeCall(request, caller, this.deps);
          if (!verdict.allowed) {
            this.denials.push(verdict.denial);
            return send(res, errorAnswer(request, verdict.shape));
          }
        }
        if (request.service === 'sqs' && (request.operation === 'SendMessage' || request.operation === 'SendMessageBatch')) {
          const queueName = String(request.params.QueueUrl ?? '').replace(/\/+$/, '').split('/').pop() ?? '';
          const queue = await this.policies.queue(queueName);
          const check = queue ? sqsSendCheck(request, queue.maxMessageSize) : undefined;
          if (check && 'refuse' in check) {
            this.refusals.push({ at: Date.now(), service: 'sqs', operation: request.operation, code: check.refuse.code, message: check.refuse.message });
            return send(res, errorAnswer(request, check.refuse));
          }
          if (check) {
            for (const failed of check.failed) this.refusals.push({ at: Date.now(), service: 'sqs', operation: request.operation, code: String(failed.Code), message: String(failed.Message) });
            failedEntries = check.failed;
            body = check.body;
            if (((request.params.Entries as unknown[] | undefined) ?? []).length === failedEntries.length) {
              return send(res, { status: 200, headers: { 'content-type': String(req.headers['content-type']) }, body: JSON.stringify({ Successful: [], Failed: failedEntries }) });
            }
          }
        }
      }
      let forwarded = false;
      // With enforcement on, SNS's Publish is answered and delivered here (the emulator's own
      // delivery would bypass every check); off, the emulator alone delivers it.
      const publishHere = this.enforce && request.service === 'sns' && (request.operation === 'Publish' || request.operation === 'PublishBatch');
      const forward = () => {
        if (forwarded) return;
        forwarded = true;
        if (publishHere) this.publish(res, request);
        else this.forward(req, res, request, body, failedEntries);
      };
      for (const layer of this.layers) if (layer.handle({ request, caller }, res, forward)) return;
      forward();
    } catch (error) {
      // The endpoint's own failure (reading a policy from the emulator): a 500, as a service fault.
      const message = `local AWS endpoint: ${error instanceof Error ? error.message : String(error)}`;
      send(res, errorAnswer(request, { code: 'InternalFailure', status: 500, message }));
    }
  }

  private publish(res: ServerResponse, request: AwsRequest): void {
    const answer =
      request.operation === 'PublishBatch'
        ? Promise.resolve(errorAnswer(request, { code: 'InternalFailure', status: 500, message: 'local AWS endpoint: PublishBatch is not played here (Publish is)' }))
        : this.sns.publish(request, this.enforce);
    answer.then(
      (reply) => send(res, reply),
      (error: unknown) => send(res, errorAnswer(request, { code: 'InternalFailure', status: 500, message: `local AWS endpoint: ${error instanceof Error ? error.message : String(error)}` })),
    );
  }

  /** Sends the call to the emulator and its answer back, adjusting where AWS answers otherwise. */
  private forward(req: IncomingMessage, res: ServerResponse, request: AwsRequest, body: Buffer, failedEntries: Array<Record<string, unknown>>): void {
    const headers = { ...req.headers, 'content-length': String(body.length) };
    const upstream = httpRequest(new URL(req.url ?? '/', this.options.motoEndpoint), { method: req.method, headers }, (answer) => {
      const status = answer.statusCode ?? 502;
      // Before the caller reads the answer: its next call must see what this one changed.
      if (status < 400 && mayChangeAccess(request)) this.invalidate();
      const rewrite = this.enforce && ((request.service === 'secretsmanager' && request.operation === 'CreateSecret' && status >= 400) || failedEntries.length > 0);
      if (!rewrite) {
        res.writeHead(status, answer.headers);
        answer.pipe(res);
        return;
      }
      const chunks: Buffer[] = [];
      answer.on('data', (chunk: Buffer) => chunks.push(chunk));
      answer.on('end', () => void this.rewriteAnswer(res, request, { status, headers: answer.headers as Record<string, string>, body: Buffer.concat(chunks).toString('utf8') }, failedEntries));
    });
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    upstream.end(body);
  }

  private async rewriteAnswer(res: ServerResponse, request: AwsRequest, answer: { status: number; headers: Record<string, string>; body: string }, failedEntries: Array<Record<string, unknown>>): Promise<void> {
    if (failedEntries.length > 0 && answer.status < 400) {
      const parsed = JSON.parse(answer.body) as { Successful?: unknown[]; Failed?: unknown[] };
      return send(res, { status: answer.status, headers: { 'content-type': answer.headers['content-type'] ?? 'application/x-amz-json-1.0' }, body: JSON.stringify({ ...parsed, Failed: [...(parsed.Failed ?? []), ...failedEntries] }) });
    }
    const name = String(request.params.Name ?? '');
    const refusal = request.operation === 'CreateSecret' ? await scheduledForDeletionRefusal(answer, name, (secret) => this.policies.secret(secret)).catch(() => undefined) : undefined;
    if (refusal) {
      this.refusals.push({ at: Date.now(), service: 'secretsmanager', operation: 'CreateSecret', code: refusal.code, message: refusal.message });
      return send(res, errorAnswer(request, refusal));
    }
    const { 'content-length': _length, 'transfer-encoding': _encoding, ...headers } = answer.headers;
    send(res, { status: answer.status, headers, body: answer.body });
  }

  async close(): Promise<void> {
    const closing = [this.http, this.https].filter((server): server is Server => server !== undefined).map((server) => new Promise<void>((resolve) => server.close(() => resolve())));
    for (const socket of this.sockets) socket.destroy();
    await Promise.all(closing);
    this.httpsAgent.destroy();
    this.certificate.remove();
  }
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : 0);
    });
  });
}
