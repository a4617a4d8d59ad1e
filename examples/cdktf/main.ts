// The traced webhook pipeline (the Terraform module at the root of this repository) consumed
// from a CDK for Terraform stack in TypeScript. `cdktf synth` writes Terraform JSON to
// cdktf.out/stacks/webhook-pipeline/cdk.tf.json; `cdktf plan` / `cdktf deploy` run Terraform on it.
//
// Settings, read at synth time:
//   WEBHOOK_NAME          name of the pipeline (default "cdktf-webhook")
//   WEBHOOK_MODULE_SOURCE where the module comes from (default: this repository, ../.. );
//                         e.g. "git::https://github.com/<org>/<repo>.git?ref=v0.2.0"
//   ALARM_TOPIC_ARN       an SNS topic you already have for the alarms (default: one is created)
//   AWS_REGION            region (default: left to the provider's usual lookup)
//   MOTO_ENDPOINT or AWS_ENDPOINT_URL
//                         an AWS emulator for every service (the tests use moto_server)
import { existsSync } from "node:fs";
import * as path from "node:path";
import { App, TerraformHclModule, TerraformOutput, TerraformStack } from "cdktf";
import { AwsProvider, SnsTopic } from "./aws";

const STACK_NAME = "webhook-pipeline";

/**
 * The repository root: the nearest directory above this file holding the module (versions.tf
 * and modules/). The app runs as build/main.js, compiled by tsc, so __dirname is build/.
 */
function findModuleRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, "versions.tf")) && existsSync(path.join(dir, "modules"))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no Terraform module (versions.tf, modules/) found above ${from}; set WEBHOOK_MODULE_SOURCE`);
  }
}

interface WebhookPipelineStackProps {
  readonly name: string;
  /** A local directory (absolute, or relative to the working directory) or any Terraform module source. */
  readonly moduleSource: string;
  readonly tags: Record<string, string>;
  readonly alarmTopicArn?: string;
  readonly region?: string;
  readonly emulatorEndpoint?: string;
}

/**
 * The source Terraform gets for a local module. cdktf copies a source starting with ./ or ../
 * into an asset (a copy of the whole directory, here the whole repository with its
 * node_modules) unless skipAssetCreationFromLocalModules is set; with it set, the source is
 * written verbatim and Terraform resolves it relative to the synthesized stack's directory,
 * cdktf.out/stacks/<stack>, not to this example. So the path is made relative to that
 * directory here, at synth time, wherever the output goes (cdktf synth --output <dir>).
 */
function localModuleSource(moduleDir: string, stackOutDir: string): string {
  const relative = path.relative(stackOutDir, moduleDir).split(path.sep).join("/");
  return relative === ".." || relative.startsWith("../") ? relative : `./${relative}`;
}

function isLocalPath(source: string): boolean {
  return source.startsWith("./") || source.startsWith("../") || path.isAbsolute(source) || source === "." || source === "..";
}

class WebhookPipelineStack extends TerraformStack {
  constructor(scope: App, id: string, props: WebhookPipelineStackProps) {
    super(scope, id);

    new AwsProvider(this, "aws", { region: props.region, emulatorEndpoint: props.emulatorEndpoint });

    const alarmTopicArn = props.alarmTopicArn ?? new SnsTopic(this, "alarms", { name: `${props.name}-alarms`, tags: props.tags }).arn;

    const source = isLocalPath(props.moduleSource)
      ? localModuleSource(path.resolve(props.moduleSource), path.resolve(scope.outdir, "stacks", id))
      : props.moduleSource;

    const webhook = new TerraformHclModule(this, "webhook", {
      source,
      skipAssetCreationFromLocalModules: true,
      variables: {
        name: props.name,
        tags: props.tags,
        create_alarms: true,
        alarm_actions: [alarmTopicArn],
      },
    });

    new TerraformOutput(this, "webhook_url", {
      value: webhook.getString("webhook_url"),
      description: "URL to register with the webhook sender (POST).",
    });
    new TerraformOutput(this, "queue_url", {
      value: webhook.getString("queue_url"),
      description: "URL of the queue between the producer and the consumer.",
    });
    new TerraformOutput(this, "table_name", {
      value: webhook.getString("table_name"),
      description: "DynamoDB table the consumer writes to.",
    });
    new TerraformOutput(this, "alarm_topic_arn", {
      value: alarmTopicArn,
      description: "SNS topic the pipeline's alarms notify.",
    });
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}

const app = new App();
const name = nonEmpty(process.env.WEBHOOK_NAME) ?? "cdktf-webhook";
new WebhookPipelineStack(app, STACK_NAME, {
  name,
  moduleSource: nonEmpty(process.env.WEBHOOK_MODULE_SOURCE) ?? findModuleRoot(__dirname),
  tags: { Application: name, ManagedBy: "cdktf", Source: "examples/cdktf" },
  alarmTopicArn: nonEmpty(process.env.ALARM_TOPIC_ARN),
  region: nonEmpty(process.env.AWS_REGION),
  emulatorEndpoint: nonEmpty(process.env.MOTO_ENDPOINT) ?? nonEmpty(process.env.AWS_ENDPOINT_URL),
});
app.synth();
