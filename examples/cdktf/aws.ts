// Hand-written bindings for the two AWS things this stack declares itself: the provider block
// and one SNS topic. They replace @cdktf/provider-aws, whose prebuilt bindings cover ~1,500
// resource types and weigh hundreds of MB installed (see README.md, "Why no @cdktf/provider-aws").
//
// What it costs: no type checking of attribute names beyond what is written here, no
// generated documentation, and `getStringAttribute("arn")` takes the attribute name on trust.
// For a stack whose resources live in a Terraform module, that is two small classes.
import { TerraformProvider, TerraformResource } from "cdktf";
import type { Construct } from "constructs";

/** The AWS provider version range; the same as the root module's versions.tf. */
export const AWS_PROVIDER_VERSION = ">= 5.100, < 7";

const AWS_GENERATOR_METADATA = { providerName: "aws", providerVersionConstraint: AWS_PROVIDER_VERSION };

/** Every service the module and this stack call, for pointing all of them at one emulator. */
const EMULATED_SERVICES = [
  "apigateway",
  "cloudwatch",
  "cloudwatchlogs",
  "dynamodb",
  "iam",
  "kms",
  "lambda",
  "secretsmanager",
  "sns",
  "sqs",
  "sts",
] as const;

export interface AwsProviderConfig {
  /** Region; unset leaves it to the provider's usual lookup (AWS_REGION, the profile, ...). */
  readonly region?: string;
  /**
   * An AWS emulator (moto_server, LocalStack) every service is sent to, with throw-away
   * credentials and the account/metadata checks off. Unset: the normal provider, real AWS.
   */
  readonly emulatorEndpoint?: string;
}

/** `provider "aws" { ... }` plus its `required_providers` entry (hashicorp/aws). */
export class AwsProvider extends TerraformProvider {
  constructor(scope: Construct, id: string, private readonly config: AwsProviderConfig = {}) {
    super(scope, id, {
      terraformResourceType: "aws",
      terraformGeneratorMetadata: AWS_GENERATOR_METADATA,
      terraformProviderSource: "hashicorp/aws",
    });
  }

  protected override synthesizeAttributes(): { [name: string]: unknown } {
    const { region, emulatorEndpoint } = this.config;
    const attributes: { [name: string]: unknown } = {};
    if (region) attributes.region = region;
    if (emulatorEndpoint) {
      attributes.region = region ?? "us-east-1";
      attributes.access_key = "testing";
      attributes.secret_key = "testing";
      attributes.skip_credentials_validation = true;
      attributes.skip_metadata_api_check = true;
      attributes.skip_region_validation = true;
      attributes.endpoints = [Object.fromEntries(EMULATED_SERVICES.map((service) => [service, emulatorEndpoint]))];
    }
    return attributes;
  }
}

export interface SnsTopicConfig {
  readonly name: string;
  readonly tags?: Record<string, string>;
}

/** `resource "aws_sns_topic"` with the two arguments this stack needs. */
export class SnsTopic extends TerraformResource {
  constructor(scope: Construct, id: string, private readonly config: SnsTopicConfig) {
    super(scope, id, { terraformResourceType: "aws_sns_topic", terraformGeneratorMetadata: AWS_GENERATOR_METADATA });
  }

  /** The topic's ARN (known after apply). */
  get arn(): string {
    return this.getStringAttribute("arn");
  }

  protected override synthesizeAttributes(): { [name: string]: unknown } {
    return { name: this.config.name, tags: this.config.tags };
  }
}
