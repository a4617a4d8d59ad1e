# Every feature of the module, in a fresh account: the account-level settings (modules/account-setup:
# API Gateway's CloudWatch role, the Transaction Search logs policy), customer managed KMS keys,
# the functions in a VPC with endpoints (no NAT), alarms to an SNS topic, a filtered and
# concurrency-limited event source mapping and a table with TTL.

provider "aws" {
  region = var.region
}

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_availability_zones" "available" {
  state = "available"
}

locals {
  tags = {
    Example = "complete"
    Module  = "traced-webhook-pipeline"
  }
  azs = slice(data.aws_availability_zones.available.names, 0, 2)
}

################################################################################
# KMS: one key for data (queues, table, secret, SNS), one for logs
################################################################################

resource "aws_kms_key" "data" {
  description         = "${var.name} data"
  enable_key_rotation = true
  tags                = local.tags

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "AccountAdministers"
        Effect    = "Allow"
        Principal = { AWS = "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root" }
        Action    = "kms:*"
        Resource  = "*"
      },
      {
        Sid       = "CloudWatchAlarmsPublishToEncryptedTopic"
        Effect    = "Allow"
        Principal = { Service = "cloudwatch.amazonaws.com" }
        Action    = ["kms:Decrypt", "kms:GenerateDataKey*"]
        Resource  = "*"
      },
    ]
  })
}

resource "aws_kms_key" "logs" {
  description         = "${var.name} CloudWatch Logs"
  enable_key_rotation = true
  tags                = local.tags

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "AccountAdministers"
        Effect    = "Allow"
        Principal = { AWS = "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root" }
        Action    = "kms:*"
        Resource  = "*"
      },
      {
        Sid       = "CloudWatchLogsUse"
        Effect    = "Allow"
        Principal = { Service = "logs.${var.region}.amazonaws.com" }
        Action    = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"]
        Resource  = "*"
        Condition = {
          ArnLike = { "kms:EncryptionContext:aws:logs:arn" = "arn:${data.aws_partition.current.partition}:logs:${var.region}:${data.aws_caller_identity.current.account_id}:log-group:*" }
        }
      },
    ]
  })
}

################################################################################
# Alarms go to an encrypted SNS topic
################################################################################

resource "aws_sns_topic" "alarms" {
  name              = "${var.name}-alarms"
  kms_master_key_id = aws_kms_key.data.arn
  tags              = local.tags
}

################################################################################
# A private VPC: the functions reach AWS services through endpoints
################################################################################

resource "aws_vpc" "this" {
  cidr_block           = var.vpc_cidr
  enable_dns_support   = true
  enable_dns_hostnames = true
  tags                 = merge(local.tags, { Name = var.name })
}

resource "aws_subnet" "private" {
  count = length(local.azs)

  vpc_id            = aws_vpc.this.id
  availability_zone = local.azs[count.index]
  cidr_block        = cidrsubnet(var.vpc_cidr, 8, count.index)
  tags              = merge(local.tags, { Name = "${var.name}-private-${local.azs[count.index]}" })
}

resource "aws_route_table" "private" {
  vpc_id = aws_vpc.this.id
  tags   = merge(local.tags, { Name = "${var.name}-private" })
}

resource "aws_route_table_association" "private" {
  count = length(aws_subnet.private)

  subnet_id      = aws_subnet.private[count.index].id
  route_table_id = aws_route_table.private.id
}

resource "aws_security_group" "functions" {
  name        = "${var.name}-functions"
  description = "The pipeline's functions: HTTPS out to the VPC endpoints only"
  vpc_id      = aws_vpc.this.id
  tags        = local.tags
}

resource "aws_security_group" "endpoints" {
  name        = "${var.name}-endpoints"
  description = "Interface endpoints: HTTPS in from the functions"
  vpc_id      = aws_vpc.this.id
  tags        = local.tags
}

resource "aws_vpc_security_group_egress_rule" "functions_to_endpoints" {
  security_group_id            = aws_security_group.functions.id
  referenced_security_group_id = aws_security_group.endpoints.id
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
}

resource "aws_vpc_security_group_egress_rule" "functions_to_dynamodb" {
  security_group_id = aws_security_group.functions.id
  prefix_list_id    = aws_vpc_endpoint.dynamodb.prefix_list_id
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
}

resource "aws_vpc_security_group_ingress_rule" "endpoints_from_functions" {
  security_group_id            = aws_security_group.endpoints.id
  referenced_security_group_id = aws_security_group.functions.id
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
}

resource "aws_vpc_endpoint" "interface" {
  for_each = toset(["sqs", "secretsmanager", "xray", "logs", "monitoring"])

  vpc_id              = aws_vpc.this.id
  service_name        = "com.amazonaws.${var.region}.${each.key}"
  vpc_endpoint_type   = "Interface"
  private_dns_enabled = true
  subnet_ids          = aws_subnet.private[*].id
  security_group_ids  = [aws_security_group.endpoints.id]
  tags                = merge(local.tags, { Name = "${var.name}-${each.key}" })
}

resource "aws_vpc_endpoint" "dynamodb" {
  vpc_id            = aws_vpc.this.id
  service_name      = "com.amazonaws.${var.region}.dynamodb"
  vpc_endpoint_type = "Gateway"
  route_table_ids   = [aws_route_table.private.id]
  tags              = merge(local.tags, { Name = "${var.name}-dynamodb" })
}

################################################################################
# Account-level settings (once per account and region; a long-lived stack is their better home)
################################################################################

module "account" {
  source = "../../modules/account-setup"

  # API Gateway writes the stage's access and ERROR execution logs with this role.
  create_api_gateway_cloudwatch_role = true
  # Lets X-Ray write spans to CloudWatch Logs for Transaction Search; then run the commands in
  # the account_cli_commands output (Terraform cannot set those with provider 5.100).
  create_transaction_search_policy = true

  tags = local.tags
}

################################################################################
# The pipeline
################################################################################

module "webhook" {
  source = "../.."

  name = var.name
  tags = local.tags

  # Functions
  architectures                  = ["arm64"]
  producer_memory_size           = 512
  consumer_memory_size           = 1024
  producer_timeout               = 10
  consumer_timeout               = 30
  consumer_environment_variables = { LOG_LEVEL = "info" }
  otel_strict                    = true
  # No reserved concurrency: reserving needs an account concurrency quota that keeps at least
  # 100 unreserved, and a new account's quota can be as low as 10. The mapping's maximum
  # concurrency below bounds the consumer without reserving anything.

  # Tracing
  tracing_enabled             = true
  application_signals_enabled = true
  otel_propagators            = "xray"

  # Webhook
  webhook_verification      = "stripe"
  webhook_tolerance_seconds = 300
  # Body limit and queue size: the body leaves 16 KiB of the queue for message attributes.
  # 262144 is the most AWS provider 5.100 accepts; a 6.x release that takes 1048576 allows
  # max_body_bytes up to 1032192.
  max_body_bytes         = 245760
  queue_max_message_size = 262144

  # Queue and mapping
  max_receive_count                          = 3
  batch_size                                 = 10
  maximum_batching_window_in_seconds         = 5
  event_source_maximum_concurrency           = 10
  event_source_filter_patterns               = ["{\"body\":{\"type\":[{\"anything-but\":[\"ping\"]}]}}"]
  trace_link_mode                            = "parent"
  consumer_max_concurrency                   = 10
  oldest_message_age_alarm_threshold_seconds = 120

  # Table
  table_deletion_protection_enabled = true
  table_ttl_attribute_name          = "expiresAt"

  # Encryption
  kms_key_arn                      = aws_kms_key.data.arn
  cloudwatch_logs_kms_key_arn      = aws_kms_key.logs.arn
  cloudwatch_log_retention_in_days = 90

  # Network
  vpc_subnet_ids         = aws_subnet.private[*].id
  vpc_security_group_ids = [aws_security_group.functions.id]

  # API
  create_api                  = true
  api_stage_name              = "v1"
  api_throttling_rate_limit   = 50
  api_throttling_burst_limit  = 100
  api_access_logging_enabled  = true
  api_execution_logging_level = "ERROR"

  # Alarms
  create_alarms = true
  alarm_actions = [aws_sns_topic.alarms.arn]

  # The stage's logs need the account's API Gateway CloudWatch role first.
  depends_on = [module.account, aws_vpc_endpoint.interface, aws_vpc_endpoint.dynamodb]
}
