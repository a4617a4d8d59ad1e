# Account-level settings (one per account and region, shared by every workload there) that the
# pipeline's tracing and logging rely on but must not own: the CloudWatch Logs resource policy
# Transaction Search needs, and API Gateway's account CloudWatch role. Apply it once per account
# and region from a long-lived stack; see README.md for what Terraform cannot set (the X-Ray
# segment destination, Application Signals discovery) and the commands that do.

data "aws_partition" "current" {}
data "aws_region" "current" {}
data "aws_caller_identity" "current" {}

locals {
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.id
  account_id = data.aws_caller_identity.current.account_id

  # IAM role names are global to the account: the region keeps one role per region apart.
  api_gateway_cloudwatch_role_name = coalesce(var.api_gateway_cloudwatch_role_name, "api-gateway-cloudwatch-logs-${local.region}")

  # X-Ray writes every span to aws/spans (and Application Signals data to its own group) once
  # the account's trace segment destination is CloudWatch Logs (Transaction Search); only X-Ray
  # acting for this account may write there.
  transaction_search_policy = {
    Version = "2012-10-17"
    Statement = [{
      Sid       = "TransactionSearchXRayAccess"
      Effect    = "Allow"
      Principal = { Service = "xray.amazonaws.com" }
      Action    = "logs:PutLogEvents"
      Resource = [
        "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:aws/spans:*",
        "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:/aws/application-signals/data:*",
      ]
      Condition = {
        ArnLike      = { "aws:SourceArn" = "arn:${local.partition}:xray:${local.region}:${local.account_id}:*" }
        StringEquals = { "aws:SourceAccount" = local.account_id }
      }
    }]
  }

  api_gateway_trust_policy = {
    Version = "2012-10-17"
    Statement = [{
      Sid       = "ApiGatewayAssumeRole"
      Effect    = "Allow"
      Principal = { Service = "apigateway.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  }

  # What no resource of the AWS provider (5.100) can set: run once per account and region, after
  # this module's apply (the segment destination needs the logs policy above).
  cli_commands = {
    transaction_search  = "aws xray update-trace-segment-destination --destination CloudWatchLogs --region ${local.region}"
    application_signals = "aws application-signals start-discovery --region ${local.region}"
  }
}

################################################################################
# Transaction Search: X-Ray may write spans to CloudWatch Logs
################################################################################

resource "aws_cloudwatch_log_resource_policy" "transaction_search" {
  count = var.create_transaction_search_policy ? 1 : 0

  policy_name     = var.transaction_search_policy_name
  policy_document = jsonencode(local.transaction_search_policy)
}

################################################################################
# API Gateway's account-level CloudWatch role (access and execution logs of every API)
################################################################################

resource "aws_iam_role" "api_gateway_cloudwatch" {
  count = var.create_api_gateway_cloudwatch_role ? 1 : 0

  name                 = local.api_gateway_cloudwatch_role_name
  path                 = var.iam_role_path
  description          = "Lets API Gateway write access and execution logs in ${local.region} (the account's API Gateway CloudWatch role)"
  assume_role_policy   = jsonencode(local.api_gateway_trust_policy)
  permissions_boundary = var.iam_permissions_boundary_arn
  tags                 = var.tags
}

resource "aws_iam_role_policy_attachment" "api_gateway_cloudwatch" {
  count = var.create_api_gateway_cloudwatch_role ? 1 : 0

  role       = aws_iam_role.api_gateway_cloudwatch[0].name
  policy_arn = "arn:${local.partition}:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"
}

# One setting per account and region, shared by every API there. Destroying it: provider 5.x
# leaves the setting in place (naming this module's role, deleted with it); provider 6.x resets
# it, so no API in the region can write logs until it is set again.
resource "aws_api_gateway_account" "this" {
  count = var.create_api_gateway_cloudwatch_role ? 1 : 0

  cloudwatch_role_arn = aws_iam_role.api_gateway_cloudwatch[0].arn

  depends_on = [aws_iam_role_policy_attachment.api_gateway_cloudwatch]
}
