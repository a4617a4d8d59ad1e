# The module dropped into an account that already has a KMS key, a DynamoDB table, a VPC, a
# required permissions boundary, a Secrets Manager secret and a REST API. Everything existing is
# found through data sources; the module creates no API (create_api = false) and this
# configuration wires the producer into the existing API itself.

provider "aws" {
  region = var.region
}

################################################################################
# What the account already has
################################################################################

data "aws_kms_key" "data" {
  key_id = var.kms_key_alias
}

data "aws_kms_key" "logs" {
  count  = var.logs_kms_key_alias == null ? 0 : 1
  key_id = var.logs_kms_key_alias
}

data "aws_dynamodb_table" "events" {
  name = var.table_name

  lifecycle {
    postcondition {
      condition     = self.hash_key == "eventId"
      error_message = "The consumer de-duplicates on eventId: the table's hash key must be eventId (type S)."
    }
  }
}

data "aws_subnets" "private" {
  filter {
    name   = "vpc-id"
    values = [var.vpc_id]
  }

  tags = {
    Tier = var.subnet_tier_tag
  }
}

data "aws_iam_policy" "boundary" {
  name = var.permissions_boundary_policy_name
}

data "aws_secretsmanager_secret" "webhook" {
  name = var.webhook_secret_name
}

data "aws_api_gateway_rest_api" "existing" {
  name = var.rest_api_name
}

################################################################################
# The pipeline, without its own API
################################################################################

module "webhook" {
  source = "../.."

  name = var.name
  tags = { Example = "existing-account" }

  existing_table_name = data.aws_dynamodb_table.events.name
  # The table's own KMS key when it has one (DynamoDB uses it on behalf of the consumer, which
  # then needs kms:Decrypt on it); null for a table on DynamoDB's AWS owned key.
  existing_table_kms_key_arn = try(data.aws_dynamodb_table.events.server_side_encryption[0].enabled, false) ? data.aws_dynamodb_table.events.server_side_encryption[0].kms_key_arn : null

  kms_key_arn                 = data.aws_kms_key.data.arn
  cloudwatch_logs_kms_key_arn = one(data.aws_kms_key.logs[*].arn)

  webhook_secret_arn = data.aws_secretsmanager_secret.webhook.arn
  # The secret's own key, when it is a customer managed one (null: aws/secretsmanager).
  webhook_secret_kms_key_arn = can(regex("^arn:aws[a-z-]*:kms:.+:key/", data.aws_secretsmanager_secret.webhook.kms_key_id)) ? data.aws_secretsmanager_secret.webhook.kms_key_id : null

  vpc_subnet_ids         = data.aws_subnets.private.ids
  vpc_security_group_ids = var.security_group_ids

  iam_role_path                = var.iam_role_path
  iam_permissions_boundary_arn = data.aws_iam_policy.boundary.arn

  create_api    = false
  alarm_actions = var.alarm_topic_arn == null ? [] : [var.alarm_topic_arn]
}

################################################################################
# POST /webhook on the existing REST API
################################################################################

resource "aws_api_gateway_resource" "webhook" {
  rest_api_id = data.aws_api_gateway_rest_api.existing.id
  parent_id   = data.aws_api_gateway_rest_api.existing.root_resource_id
  path_part   = "webhook"
}

resource "aws_api_gateway_method" "webhook_post" {
  rest_api_id   = data.aws_api_gateway_rest_api.existing.id
  resource_id   = aws_api_gateway_resource.webhook.id
  http_method   = "POST"
  authorization = "NONE"
}

resource "aws_api_gateway_integration" "webhook_post" {
  rest_api_id             = data.aws_api_gateway_rest_api.existing.id
  resource_id             = aws_api_gateway_resource.webhook.id
  http_method             = aws_api_gateway_method.webhook_post.http_method
  type                    = "AWS_PROXY"
  integration_http_method = "POST"
  uri                     = module.webhook.producer_invoke_arn
}

resource "aws_lambda_permission" "existing_api" {
  statement_id  = "AllowExistingApiInvoke"
  action        = "lambda:InvokeFunction"
  function_name = module.webhook.producer_function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${data.aws_api_gateway_rest_api.existing.execution_arn}/*/POST/webhook"
}
