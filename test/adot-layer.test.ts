import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * adot-layer.json is the one place the module's ADOT layer versions come from. These tests fail
 * when it and the distro the local runtime runs (the devDependency) drift apart.
 */
const root = join(__dirname, '..');
const DISTRO = '@aws/aws-distro-opentelemetry-node-autoinstrumentation';

interface AdotLayerData {
  release: string;
  source: string;
  otel_api: string;
  local_runtime_distro?: { version: string; reason: string };
  regions_behind?: Record<string, string>;
  arns: Record<string, string>;
}

interface PackageJson {
  version: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

const readJson = <T>(...path: string[]): T => JSON.parse(readFileSync(join(root, ...path), 'utf8')) as T;
const layer = readJson<AdotLayerData>('adot-layer.json');
const project = readJson<PackageJson>('package.json');
const installedDistro = readJson<PackageJson>('node_modules', ...DISTRO.split('/'), 'package.json');

describe('adot-layer.json against the pinned distro', () => {
  it('pins the distro devDependency exactly, at the release the layer map belongs to (or the one declared instead)', () => {
    const pinned = project.devDependencies?.[DISTRO];
    expect(pinned).toMatch(/^\d+\.\d+\.\d+$/);
    expect(pinned).toBe(layer.local_runtime_distro?.version ?? layer.release);
  });

  it('declares a different local-runtime distro only while the versions really differ, and says why', () => {
    if (!layer.local_runtime_distro) return;
    expect(layer.local_runtime_distro.version).not.toBe(layer.release);
    expect(layer.local_runtime_distro.reason.length).toBeGreaterThan(40);
  });

  it('runs the installed distro of the pinned version, which registers the @opentelemetry/api the map states', () => {
    expect(installedDistro.version).toBe(project.devDependencies?.[DISTRO]);
    expect(installedDistro.dependencies?.['@opentelemetry/api']).toBe(layer.otel_api);
  });

  it("bundles an @opentelemetry/api the layer's global accepts (same major, minor no newer)", () => {
    const bundled = project.dependencies?.['@opentelemetry/api'] ?? '';
    const [bundledMajor, bundledMinor] = bundled.replace(/^[~^]/, '').split('.').map(Number);
    const [layerMajor, layerMinor] = layer.otel_api.split('.').map(Number);
    expect(bundledMajor).toBe(layerMajor);
    expect(bundledMinor).toBeLessThanOrEqual(layerMinor!);
  });
});

describe('adot-layer.json ARNs', () => {
  const entries = Object.entries(layer.arns);

  it('lists the regions AWS publishes, with its source', () => {
    expect(entries.length).toBeGreaterThanOrEqual(30);
    expect(layer.source).toContain('lambdaLayerArns.js');
  });

  it.each(entries)('%s has a versioned AWSOpenTelemetryDistroJs ARN of its own region and partition', (region, arn) => {
    const partition = region.startsWith('cn-') ? 'aws-cn' : 'aws';
    expect(arn).toMatch(new RegExp(`^arn:${partition}:lambda:${region}:\\d{12}:layer:AWSOpenTelemetryDistroJs:[1-9]\\d*$`));
  });

  it('names only listed regions as lagging behind', () => {
    for (const region of Object.keys(layer.regions_behind ?? {})) expect(layer.arns).toHaveProperty(region);
  });

  it('README states the release the map belongs to and the distro that is tested', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    expect(readme).toContain(`v${layer.release}`);
    expect(readme).toContain(`${DISTRO}\` ${project.devDependencies?.[DISTRO]}`);
  });
});
