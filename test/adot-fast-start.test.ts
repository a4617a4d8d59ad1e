// Fast start (the layer's lite mode) only exists from ADOT release 0.13.0. The local runtime runs
// the 0.13 distro whatever layer is deployed, so it must refuse a fast start that the deployed
// layer's release could not give (AWS publishes 0.12.0 per region): the module refuses it at
// plan time, and the runtime at start, reading the release the layer declares.
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { CreateFunctionCommand, DeleteFunctionCommand, DeleteLayerVersionCommand, LambdaClient, PublishLayerVersionCommand } from '@aws-sdk/client-lambda';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareReleases, declaredLayerRelease, fastStartRefusal, readAdotReleases, type AdotReleases } from '../local-runtime/adot-layer';
import { LocalAws } from '../local-runtime/local-aws';
import { LocalPipeline } from '../local-runtime/local-pipeline';
import { clientConfig, motoEndpoint, uniqueName } from './support/aws';

const ROOT = join(__dirname, '..');
const WRAPPED = { AWS_LAMBDA_EXEC_WRAPPER: '/opt/otel-instrument', OTEL_AWS_LAMBDA_FAST_START: 'true' };
const RELEASES: AdotReleases = { published: '0.12.0', liteModeSince: '0.13.0' };
const standIn = (release: string) => ({ arn: 'arn:aws:lambda:us-east-1:123456789012:layer:wh-adot-standin:1', description: `Local stand-in for AWSOpenTelemetryDistroJs release ${release} (the emulator rejects unknown layer ARNs)` });

describe('the release a layer declares', () => {
  it('reads "release x.y.z" from the description, and nothing else', () => {
    expect(declaredLayerRelease(standIn('0.13.0').description)).toBe('0.13.0');
    expect(declaredLayerRelease('Local stand-in for AWSOpenTelemetryDistroJs (the emulator rejects unknown layer ARNs)')).toBeUndefined();
    expect(declaredLayerRelease(undefined)).toBeUndefined();
  });

  it('compares releases by major, minor and patch, as numbers', () => {
    expect(compareReleases('0.12.0', '0.13.0')).toBeLessThan(0);
    expect(compareReleases('0.13.0', '0.13.0')).toBe(0);
    expect(compareReleases('0.13.1', '0.13.0')).toBeGreaterThan(0);
    expect(compareReleases('0.100.0', '0.13.0')).toBeGreaterThan(0);
    expect(compareReleases('1.0.0', '0.99.99')).toBeGreaterThan(0);
  });

  it('takes lite mode from 0.13.0 and AWS’s published release from adot-layer.json', () => {
    expect(readAdotReleases(ROOT)).toEqual({ published: JSON.parse(readFileSync(join(ROOT, 'adot-layer.json'), 'utf8')).release, liteModeSince: '0.13.0' });
  });
});

describe('fast start on the emulated layer', () => {
  it('is allowed on a layer that declares 0.13.0 or later', () => {
    expect(fastStartRefusal('wh-producer', WRAPPED, [standIn('0.13.0')], RELEASES)).toBeUndefined();
    expect(fastStartRefusal('wh-producer', WRAPPED, [standIn('1.2.3')], RELEASES)).toBeUndefined();
  });

  it('is refused on a layer that declares 0.12.x, with a message naming the function, the layer and both releases', () => {
    const refusal = fastStartRefusal('wh-producer', WRAPPED, [standIn('0.12.0')], RELEASES);
    expect(refusal).toMatch(/^wh-producer asks for the ADOT layer's fast start \(OTEL_AWS_LAMBDA_FAST_START=true\)/);
    expect(refusal).toContain('layer:wh-adot-standin:1 is release 0.12.0');
    expect(refusal).toContain('lite mode arrived in release 0.13.0');
  });

  it('takes a layer that declares nothing as the release AWS publishes (0.12.0), and refuses', () => {
    const refusal = fastStartRefusal('wh-consumer', WRAPPED, [{ arn: 'arn:aws:lambda:us-east-1:123456789012:layer:other:4' }], RELEASES);
    expect(refusal).toContain('layer:other:4 is release 0.12.0 (the layer\'s description declares no release');
  });

  it('says nothing when fast start is off or the function does not run the layer’s wrapper', () => {
    expect(fastStartRefusal('wh-producer', { ...WRAPPED, OTEL_AWS_LAMBDA_FAST_START: 'false' }, [standIn('0.12.0')], RELEASES)).toBeUndefined();
    expect(fastStartRefusal('wh-producer', { OTEL_AWS_LAMBDA_FAST_START: 'true' }, [], RELEASES)).toBeUndefined();
  });
});

describe('the local pipeline, on a function deployed with a 0.12.0 layer', () => {
  const lambda = new LambdaClient(clientConfig());
  const name = uniqueName('fast-start');
  let layerArn = '';
  let layerVersion = 0;

  beforeAll(async () => {
    const role = await new IAMClient(clientConfig()).send(
      new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] }) }),
    );
    const layer = await lambda.send(
      new PublishLayerVersionCommand({ LayerName: `${name}-adot`, Description: `Local stand-in for AWSOpenTelemetryDistroJs release 0.12.0`, Content: { ZipFile: readFileSync(join(ROOT, 'dist/producer.zip')) } }),
    );
    layerArn = layer.LayerVersionArn ?? '';
    layerVersion = layer.Version ?? 0;
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: name,
        Runtime: 'nodejs22.x',
        Handler: 'index.handler',
        Role: role.Role?.Arn,
        Code: { ZipFile: readFileSync(join(ROOT, 'dist/producer.zip')) },
        Layers: [layerArn],
        Environment: { Variables: { AWS_LAMBDA_EXEC_WRAPPER: '/opt/otel-instrument' } },
      }),
    );
  });

  afterAll(async () => {
    await lambda.send(new DeleteFunctionCommand({ FunctionName: name }));
    await lambda.send(new DeleteLayerVersionCommand({ LayerName: `${name}-adot`, VersionNumber: layerVersion }));
  });

  it('refuses to start it in fast start, naming the release it reads back from the layer', async () => {
    const spansFile = join(mkdtempSync(join(tmpdir(), 'fast-start-')), 'spans.jsonl');
    const localAws = await LocalAws.start({ motoEndpoint: motoEndpoint(), region: 'us-east-1', enforce: true });
    const starting = LocalPipeline.start(
      { producerFunctionName: name, consumerFunctionName: name, restApiId: 'none' },
      { localAws, root: ROOT, spansFile, environmentOverrides: { OTEL_AWS_LAMBDA_FAST_START: 'true' } },
    );
    // Whatever happens, nothing this test starts may outlive it.
    const outcome = await starting
      .then(
        async (pipeline) => {
          await pipeline.stop();
          return 'started';
        },
        (error: Error) => error.message,
      )
      .finally(() => localAws.close());
    expect(outcome).toContain(`${name} asks for the ADOT layer's fast start`);
    expect(outcome).toContain(`${layerArn} is release 0.12.0`);
  });
});
