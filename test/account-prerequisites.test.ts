// What a real account needs before the first apply, which no plan and no emulator shows: the
// README's list of account-level prerequisites, the examples' demands on account quotas, and
// where the module sends a user for the layer ARN. Plain reads of the tracked files.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

/** The text of a README section, from its heading to the next heading of the same or a higher level. */
function section(markdown: string, heading: string): string {
  const lines = markdown.split('\n');
  const start = lines.findIndex((line) => /^#+ /.test(line) && line.replace(/^#+ /, '') === heading);
  if (start < 0) return '';
  const level = (lines[start]!.match(/^#+/) ?? [''])[0].length;
  const end = lines.findIndex((line, index) => index > start && /^#+ /.test(line) && (line.match(/^#+/) ?? [''])[0].length <= level);
  return lines.slice(start, end < 0 ? undefined : end).join('\n');
}

describe('README: before the first apply in an account', () => {
  const before = section(read('README.md'), 'Before the first apply in an account');

  it('exists, and says the defaults need no account-level setting', () => {
    expect(before).toMatch(/only `name` set the module needs \*\*no account-level setting\*\*/);
  });

  it.each([
    ['the API Gateway account CloudWatch role, for stage logs', /aws_api_gateway_account/],
    ['the Transaction Search logs resource policy', /`xray\.amazonaws\.com` write `aws\/spans` and `\/aws\/application-signals\/data`/],
    ['the X-Ray segment destination command', /aws xray update-trace-segment-destination --destination CloudWatchLogs/],
    ['Application Signals discovery', /aws application-signals start-discovery/],
    ['the KMS key policy', /key policy/],
    ['the Lambda concurrency quota', /concurrency quota/],
    ['what sampling every webhook costs', /\$5 per million webhooks/],
  ])('lists %s', (_what, pattern) => {
    expect(before).toMatch(pattern);
  });

  it('gives the same commands modules/account-setup outputs', () => {
    const module = read('modules/account-setup/main.tf');
    for (const command of ['aws xray update-trace-segment-destination --destination CloudWatchLogs', 'aws application-signals start-discovery']) {
      expect(module).toContain(command);
      expect(read('modules/account-setup/README.md')).toContain(command);
    }
  });
});

describe('what the examples ask of an account', () => {
  it('examples/complete reserves no concurrency (a new account may have a quota of 10, and 100 must stay unreserved)', () => {
    expect(read('examples/complete/main.tf')).not.toMatch(/^\s*(producer|consumer)_reserved_concurrent_executions\s*=/m);
  });

  it('examples/complete sets up the account-level settings its logging needs', () => {
    expect(read('examples/complete/main.tf')).toMatch(/source = "..\/..\/modules\/account-setup"/);
  });
});

describe('where the module sends a user for a layer ARN', () => {
  it('links the AWSOpenTelemetryDistroJs table, not the legacy layer page', () => {
    const variables = read('variables.tf');
    expect(variables).toContain('https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch-Application-Signals-Enable-Lambda.html');
    expect(variables).not.toContain('aws-otel.github.io/docs/getting-started/lambda');
  });
});
