import { copyFileSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { localAwsProviderBlock } from './provider-block';

/** What the root module reads besides its own `.tf` files, which are all linked (a new one is never missed). */
const MODULE_ASSETS = ['adot-layer.json', 'dist', 'modules'];

/** The root module's files an example reaches through `source = "../.."`. */
function moduleEntries(root: string): string[] {
  return [...readdirSync(root).filter((name) => name.endsWith('.tf')), ...MODULE_ASSETS];
}

export interface StagedExample {
  /** The folder to run Terraform in (the example's own files, with the local overrides beside them). */
  configDir: string;
}

/**
 * A published example (examples/<name>), unchanged, made to deploy to the local AWS endpoint
 * with Terraform override files, as a platform team would point it at a sandbox:
 *
 * - the provider's endpoints and dummy credentials (the example's own provider block names only
 *   a region);
 * - the ADOT layer: a stand-in layer published in the emulator (moto refuses layer ARNs it does
 *   not know) that declares the distro release the local runtime runs;
 * - what the emulator cannot take or the harness must undo: moto stores no RedriveAllowPolicy,
 *   runs an enabled event source mapping in Docker (the local runtime plays the mapping), and the
 *   run destroys what it made (no deletion protection, no recovery window on the secret);
 * - the outputs the local runtime reads that the example does not give (`extraOutputs`).
 *
 * The example's folder is copied beside links to the root module's files, so its relative
 * `source = "../.."` resolves to this checkout and nothing is written into the repository.
 */
export interface StageOptions {
  /** The stand-in layer's zip (dist/local-runtime/adot-standin-layer.zip). */
  standinLayerZip: string;
  /** The ADOT release the stand-in declares (the distro the local runtime runs). */
  adotRelease: string;
  /** Outputs the example lacks that the local runtime reads, by name: Terraform expressions. */
  extraOutputs: Record<string, string>;
}

export function stageExample(root: string, example: string, workDir: string, options: StageOptions): StagedExample {
  const stage = join(workDir, 'stage');
  const configDir = join(stage, 'examples', example);
  mkdirSync(configDir, { recursive: true });
  for (const entry of moduleEntries(root)) symlinkSync(join(root, entry), join(stage, entry));
  for (const file of readdirSync(join(root, 'examples', example)).filter((name) => name.endsWith('.tf'))) {
    copyFileSync(join(root, 'examples', example, file), join(configDir, file));
  }
  writeFileSync(
    join(configDir, 'local_aws_override.tf'),
    `# Written by local-runtime/staged-example.ts: this example, deployed to the local AWS endpoint.

${localAwsProviderBlock('var.aws_endpoint')}
module "webhook" {
  adot_layer_arn                         = aws_lambda_layer_version.adot_standin.arn
  adot_layer_release                     = "${options.adotRelease}"
  create_dlq_redrive_allow_policy        = false
  event_source_mapping_enabled           = false
  table_deletion_protection_enabled      = false
  webhook_secret_recovery_window_in_days = 0
}
`,
  );
  writeFileSync(
    join(configDir, 'local_aws.tf'),
    `# Written by local-runtime/staged-example.ts: what the local runtime adds to this example.

variable "aws_endpoint" {
  description = "The local AWS endpoint on loopback."
  type        = string

  validation {
    condition     = can(regex("^http://(127\\\\.[0-9]+\\\\.[0-9]+\\\\.[0-9]+|localhost):[0-9]+$", var.aws_endpoint))
    error_message = "aws_endpoint must be a loopback address: a staged example must never reach a real AWS endpoint."
  }
}

resource "aws_lambda_layer_version" "adot_standin" {
  layer_name          = "\${var.name}-adot-standin"
  description         = "Local stand-in for AWSOpenTelemetryDistroJs release ${options.adotRelease} (the emulator rejects unknown layer ARNs)"
  filename            = ${JSON.stringify(options.standinLayerZip)}
  source_code_hash    = filebase64sha256(${JSON.stringify(options.standinLayerZip)})
  compatible_runtimes = ["nodejs22.x"]
}

${Object.entries(options.extraOutputs)
  .map(([name, expression]) => `output "${name}" {\n  value = ${expression}\n}\n`)
  .join('\n')}`,
  );
  return { configDir };
}
