# The root module, as in production, deployed to a local AWS emulator. Only two things differ:
# the provider's endpoints point at the local AWS endpoint on loopback (local-runtime/local-aws.ts,
# moto_server behind it), and a placeholder is published for the ADOT layer (moto rejects layer
# ARNs it does not know). The local runtime (local-runtime/) then plays the parts moto cannot:
# API Gateway's invoke, the event source mapping's polling and the Lambda execution environment,
# which runs the layer's real code (the ADOT distro package). Queues, table and secret are
# encrypted with a customer managed key, as a platform team deploys them, so the KMS permissions
# the functions need are exercised on every call.

provider "aws" {
  region                      = "us-east-1"
  access_key                  = "testing"
  secret_key                  = "testing"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_region_validation      = true

  endpoints {
    apigateway     = var.aws_endpoint
    cloudwatch     = var.aws_endpoint
    cloudwatchlogs = var.aws_endpoint
    dynamodb       = var.aws_endpoint
    iam            = var.aws_endpoint
    kms            = var.aws_endpoint
    lambda         = var.aws_endpoint
    secretsmanager = var.aws_endpoint
    sns            = var.aws_endpoint
    sqs            = var.aws_endpoint
    sts            = var.aws_endpoint
    xray           = var.aws_endpoint
  }
}

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

# One customer managed key for the module's data (queues, table, secret), its policy delegating to
# the account's IAM policies as examples/complete's does: each function's role must then allow
# what SQS, DynamoDB and Secrets Manager do with the key on its behalf.
resource "aws_kms_key" "data" {
  description             = "${var.name} data"
  deletion_window_in_days = 7
  enable_key_rotation     = true

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = concat([{
      Sid       = "AccountAdministers"
      Effect    = "Allow"
      Principal = { AWS = "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root" }
      Action    = "kms:*"
      Resource  = "*"
      }],
      # Fan-out: the topic delivers to the encrypted queues as the SNS service principal, which
      # only the key policy can let use the key, here only for this pipeline's topic.
      var.fan_out == null ? [] : [{
        Sid       = "TopicDeliversToEncryptedQueues"
        Effect    = "Allow"
        Principal = { Service = "sns.amazonaws.com" }
        Action    = ["kms:GenerateDataKey", "kms:Decrypt"]
        Resource  = "*"
        Condition = { ArnEquals = { "aws:SourceArn" = "arn:${data.aws_partition.current.partition}:sns:${data.aws_region.current.id}:${data.aws_caller_identity.current.account_id}:${var.name}" } }
    }])
  })
}

locals {
  adot_standin_layer_zip = coalesce(var.adot_standin_layer_zip, "${path.module}/../../dist/local-runtime/adot-standin-layer.zip")
  # The ADOT release the stand-in plays: the distro the local runtime runs (adot-layer.json). The
  # runtime reads it back from the layer's description and refuses fast start below 0.13.0.
  adot_layer   = jsondecode(file("${path.module}/../../adot-layer.json"))
  adot_release = try(local.adot_layer.local_runtime_distro.version, local.adot_layer.release)
}

resource "aws_lambda_layer_version" "adot_standin" {
  layer_name          = "${var.name}-adot-standin"
  description         = "Local stand-in for AWSOpenTelemetryDistroJs release ${local.adot_release} (the emulator rejects unknown layer ARNs)"
  filename            = local.adot_standin_layer_zip
  source_code_hash    = filebase64sha256(local.adot_standin_layer_zip)
  compatible_runtimes = ["nodejs22.x"]
}

module "webhook" {
  source = "../.."

  name           = var.name
  adot_layer_arn = aws_lambda_layer_version.adot_standin.arn
  kms_key_arn    = aws_kms_key.data.arn
  # The stand-in's release, so that the module allows fast start (lite mode needs 0.13.0).
  adot_layer_release = local.adot_release

  # Short timeouts so a failing record reaches the DLQ within a minute: 3 receives, 12 s apart.
  consumer_timeout                   = var.consumer_timeout
  maximum_batching_window_in_seconds = 1

  max_body_bytes = var.max_body_bytes

  # Fan-out through an SNS topic when asked (the where-is end-to-end test, the soak, make
  # demo-fanout); null: the single queue.
  fan_out = var.fan_out

  # Every scheme beside /webhook's Stripe, one deployment: the demo and the end-to-end tests send
  # each its own sender's webhooks. Each gets a secret of its own (the local stack sets its value).
  webhook_sources = var.webhook_sources

  # moto does not store RedriveAllowPolicy and the provider would wait for it forever.
  create_dlq_redrive_allow_policy = false

  # The demo and the tests destroy what they create, and leave nothing behind.
  table_deletion_protection_enabled      = false
  webhook_secret_recovery_window_in_days = 0

  # moto tries to run the consumer itself, in Docker, on every SendMessage to a queue with an
  # enabled mapping, and counts a receive each time. The local runtime plays the mapping's part
  # (reading its batch size, window and response types from the emulator), so moto's is off.
  event_source_mapping_enabled = false

  tags = {
    Environment = "local"
  }
}
