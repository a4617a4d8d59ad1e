import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';

/** The account moto_server plays, and the access key its examples and Terraform sign with (the account's root). */
export const ACCOUNT_ID = '123456789012';
export const ADMIN_ACCESS_KEY_ID = 'testing';
export const ADMIN_CREDENTIALS = { accessKeyId: ADMIN_ACCESS_KEY_ID, secretAccessKey: 'testing' } as const;

export interface SessionCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
}

/** A role session, as Lambda assumes a function's execution role (the session is named after the function). */
export interface RoleSession {
  roleArn: string;
  roleName: string;
  sessionName: string;
  /** arn:aws:sts::<account>:assumed-role/<role>/<session>: the principal AWS evaluates and names in a denial. */
  principalArn: string;
  credentials: SessionCredentials;
}

/** Who signed a call: the account's admin (Terraform, the test harness), a role session, or an unknown key. */
export type Caller = { kind: 'admin'; accessKeyId: string } | ({ kind: 'role' } & RoleSession) | { kind: 'unknown'; accessKeyId: string | undefined };

/** The role's name from its ARN (arn:aws:iam::<account>:role/<path/>name). */
export function roleNameOf(roleArn: string): string {
  const resource = roleArn.split(':').slice(5).join(':');
  return resource.slice(resource.lastIndexOf('/') + 1);
}

/**
 * The credentials the endpoint knows: each role session it handed out, keyed by access key id, so
 * the Credential of a request's SigV4 Authorization header says which role made the call.
 */
export class CredentialRegistry {
  private readonly sessions = new Map<string, RoleSession>();

  constructor(private readonly motoEndpoint: string, private readonly region: string) {}

  /**
   * Real temporary credentials from the emulator's sts:AssumeRole on the deployed role, as Lambda
   * gets them for an execution environment; the access key id then identifies the role session.
   */
  async assumeRole(roleArn: string, sessionName: string): Promise<RoleSession> {
    const sts = new STSClient({ endpoint: this.motoEndpoint, region: this.region, credentials: ADMIN_CREDENTIALS });
    const assumed = await sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: sessionName, DurationSeconds: 12 * 3600 }));
    const credentials = assumed.Credentials;
    if (!credentials?.AccessKeyId || !credentials.SecretAccessKey || !credentials.SessionToken) throw new Error(`sts:AssumeRole on ${roleArn} returned no credentials`);
    const session: RoleSession = {
      roleArn,
      roleName: roleNameOf(roleArn),
      sessionName,
      principalArn: assumed.AssumedRoleUser?.Arn ?? `arn:aws:sts::${roleArn.split(':')[4]}:assumed-role/${roleNameOf(roleArn)}/${sessionName}`,
      credentials: { accessKeyId: credentials.AccessKeyId, secretAccessKey: credentials.SecretAccessKey, sessionToken: credentials.SessionToken },
    };
    this.sessions.set(session.credentials.accessKeyId, session);
    return session;
  }

  callerOf(accessKeyId: string | undefined): Caller {
    if (accessKeyId === ADMIN_ACCESS_KEY_ID) return { kind: 'admin', accessKeyId };
    const session = accessKeyId === undefined ? undefined : this.sessions.get(accessKeyId);
    return session ? { kind: 'role', ...session } : { kind: 'unknown', accessKeyId };
  }
}
