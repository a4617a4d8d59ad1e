# API Gateway (REST) POST /webhook -> producer Lambda -> SQS (+ DLQ) -> consumer Lambda -> DynamoDB,
# traced end to end with the ADOT layer. The module configures no provider.

data "aws_partition" "current" {}
data "aws_region" "current" {}
data "aws_caller_identity" "current" {}

locals {
  partition  = data.aws_partition.current.partition
  dns_suffix = data.aws_partition.current.dns_suffix
  # .id, not .name: the same value on provider 5.x and 6.x, where .name is deprecated for .region.
  region     = data.aws_region.current.id
  account_id = data.aws_caller_identity.current.account_id

  # The published AWSOpenTelemetryDistroJs layer ARN per region, for one ADOT release: one data
  # file (adot-layer.json, with its source and release) read here and by test/adot-layer.test.ts.
  adot_layer             = jsondecode(file("${path.module}/adot-layer.json"))
  default_adot_layer_arn = lookup(local.adot_layer.arns, local.region, null)
  adot_layer_arn         = var.tracing_enabled ? (var.adot_layer_arn != null ? var.adot_layer_arn : local.default_adot_layer_arn) : null
  # The ADOT release of that layer: the map's, or the one declared for a layer of your own (null:
  # unknown). Fast start needs lite mode, which arrived in distro 0.13.
  adot_layer_release = var.tracing_enabled ? (var.adot_layer_arn != null ? var.adot_layer_release : local.adot_layer.release) : null
  # A release as one comparable number (major, minor and patch below 1000 each).
  release_number       = { for name, release in { layer = local.adot_layer_release, lite = local.adot_layer.lite_mode_since.version } : name => try(sum([for i, part in split(".", release) : tonumber(part) * pow(1000, 2 - i)]), null) }
  adot_layer_lite_mode = local.release_number.layer != null && try(local.release_number.layer >= local.release_number.lite, false)

  producer_function_name = "${var.name}-producer"
  consumer_function_name = "${var.name}-consumer"

  # IAM role names and CloudWatch dashboard names are global to the account (their ARNs have no
  # region); everything else the module names is regional. The region in those names lets the
  # same `name` deploy in two regions. A role name longer than IAM's 64 characters (a long
  # `name` in a long region) keeps its role and region and shortens `name`, with 8 hex of a
  # hash of the full name so that two shortened names never collide.
  role_names = { for role in ["producer", "consumer"] : role => (
    var.iam_role_names[role] != null ? var.iam_role_names[role] :
    length("${var.name}-${role}-${local.region}") <= 64
    ? "${var.name}-${role}-${local.region}"
    : "${substr(var.name, 0, 53 - length(role) - length(local.region))}-${substr(sha1("${var.name}-${role}-${local.region}"), 0, 8)}-${role}-${local.region}"
  ) }
  dashboard_name = "${var.name}-${local.region}"
  queue_name     = var.name
  table_name     = coalesce(var.existing_table_name, "${var.name}-events")

  producer_package_path = coalesce(var.producer_package_path, "${path.module}/dist/producer.zip")
  consumer_package_path = coalesce(var.consumer_package_path, "${path.module}/dist/consumer.zip")

  queue_visibility_timeout_seconds = coalesce(var.queue_visibility_timeout_seconds, 6 * var.consumer_timeout)

  # The /webhook source (named stripe), from today's variables; webhook_default_source_enabled = false
  # leaves /webhook without one (the producer answers 404 there).
  verify_signatures = var.webhook_default_source_enabled && var.webhook_verification == "stripe"
  create_secret     = local.verify_signatures && var.webhook_secret_arn == null
  webhook_secret_arn = local.verify_signatures ? (
    local.create_secret ? aws_secretsmanager_secret.webhook[0].arn : var.webhook_secret_arn
  ) : null
  # The key that encrypts the signing secret, when it is a customer managed one.
  webhook_secret_kms_key_arn = local.create_secret ? var.kms_key_arn : var.webhook_secret_kms_key_arn

  # The /webhooks/<source> sources (sources.tf): each one's secret (created or given) and its key.
  source_secret_arns     = { for source, config in var.webhook_sources : source => config.secret_arn != null ? config.secret_arn : aws_secretsmanager_secret.source[source].arn }
  source_secret_kms_keys = [for source, config in var.webhook_sources : config.secret_arn != null ? config.secret_kms_key_arn : var.kms_key_arn]
  # Every secret the producer reads, and the customer managed keys that encrypt them: its policy
  # names exactly these. With /webhook alone, exactly the one secret and key as before.
  producer_secret_arns = concat(local.verify_signatures ? [local.webhook_secret_arn] : [], values(local.source_secret_arns))
  producer_secret_kms_keys = distinct(concat(
    local.verify_signatures && local.webhook_secret_kms_key_arn != null ? [local.webhook_secret_kms_key_arn] : [],
    [for key in local.source_secret_kms_keys : key if key != null],
  ))

  table_arn = var.existing_table_name == null ? module.table[0].arn : "arn:${local.partition}:dynamodb:${local.region}:${local.account_id}:table/${var.existing_table_name}"
  # The key that encrypts the table, when it is a customer managed one: the module's key for the
  # table it creates, the declared one for an existing table.
  table_kms_key_arn = var.existing_table_name == null ? var.kms_key_arn : var.existing_table_kms_key_arn

  sqs_service            = "sqs.${local.region}.${local.dns_suffix}"
  secretsmanager_service = "secretsmanager.${local.region}.${local.dns_suffix}"
  dynamodb_service       = "dynamodb.${local.region}.${local.dns_suffix}"

  producer_statements = concat(
    # With fan-out the producer publishes to the topic instead (fan-out.tf).
    local.fan_out_enabled ? local.fan_out_producer_statements : [{
      sid        = "SendToQueue"
      actions    = ["sqs:SendMessage"]
      resources  = [module.queue.queue_arn]
      conditions = []
    }],
    # One statement naming each source's secret (and /webhook's): the producer reads no other.
    length(local.producer_secret_arns) > 0 ? [{
      sid        = "ReadWebhookSecret"
      actions    = ["secretsmanager:GetSecretValue"]
      resources  = local.producer_secret_arns
      conditions = []
    }] : [],
    var.kms_key_arn != null && !local.fan_out_enabled ? [{
      sid       = "EncryptQueueMessages"
      actions   = ["kms:GenerateDataKey", "kms:Decrypt"]
      resources = [var.kms_key_arn]
      conditions = [{
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = [local.sqs_service]
      }]
    }] : [],
    length(local.producer_secret_kms_keys) > 0 ? [{
      sid       = "DecryptWebhookSecret"
      actions   = ["kms:Decrypt"]
      resources = local.producer_secret_kms_keys
      conditions = [{
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = [local.secretsmanager_service]
      }]
    }] : [],
  )

  consumer_statements = concat(
    [
      {
        sid        = "ConsumeQueue"
        actions    = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"]
        resources  = [module.queue.queue_arn]
        conditions = []
      },
      {
        sid        = "WriteEvents"
        actions    = ["dynamodb:PutItem"]
        resources  = [local.table_arn]
        conditions = []
      },
    ],
    var.kms_key_arn != null ? [{
      sid       = "DecryptQueueMessages"
      actions   = ["kms:Decrypt"]
      resources = [var.kms_key_arn]
      conditions = [{
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = [local.sqs_service]
      }]
    }] : [],
    # DynamoDB uses a table's customer managed key on behalf of the principal that reads or
    # writes the table, so without this every PutItem is denied. kms:Decrypt: DynamoDB decrypts
    # the table key with the caller's permissions (it caches it per caller for about five
    # minutes, then asks KMS again). kms:DescribeKey: DynamoDB checks the key it is about to use
    # (read-only metadata). Not granted: kms:CreateGrant, kms:GenerateDataKey*, kms:ReEncrypt*
    # and kms:Encrypt, which serve creating the table or changing its key (done by whoever
    # applies Terraform) and DynamoDB's own background work (through the grant made then).
    # Only through DynamoDB in this region (kms:ViaService).
    local.table_kms_key_arn != null ? [{
      sid       = "UseTableKey"
      actions   = ["kms:Decrypt", "kms:DescribeKey"]
      resources = [local.table_kms_key_arn]
      conditions = [{
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = [local.dynamodb_service]
      }]
    }] : [],
    # A custom consumer's own permissions (its table, its downstream API's secret, ...).
    var.consumer_policy_statements,
  )

  producer_environment = merge(
    var.producer_environment_variables,
    # The queue, or with fan-out the topic (TOPIC_ARN).
    local.fan_out_enabled ? local.fan_out_producer_environment : { QUEUE_URL = module.queue.queue_url },
    {
      # off: no source on /webhook (webhook_default_source_enabled = false).
      WEBHOOK_VERIFICATION      = var.webhook_default_source_enabled ? var.webhook_verification : "off"
      WEBHOOK_TOLERANCE_SECONDS = tostring(var.webhook_tolerance_seconds)
      MAX_BODY_BYTES            = tostring(var.max_body_bytes)
      # The queue's size as deployed: the producer answers 413 for what cannot fit it.
      QUEUE_MAX_MESSAGE_BYTES = tostring(module.queue.max_message_size)
      OTEL_STRICT             = tostring(var.otel_strict)
    },
    local.verify_signatures ? { WEBHOOK_SECRET_ARN = local.webhook_secret_arn } : {},
    # Only with sources: a deployment of /webhook alone keeps exactly its environment.
    length(var.webhook_sources) > 0 ? { WEBHOOK_SOURCES = jsonencode(local.producer_sources) } : {},
  )

  consumer_environment = merge(
    var.consumer_environment_variables,
    {
      TABLE_NAME           = local.table_name
      TRACE_LINK_MODE      = var.trace_link_mode
      DYNAMODB_MAX_SOCKETS = tostring(var.consumer_dynamodb_max_sockets)
      OTEL_STRICT          = tostring(var.otel_strict)
    },
    # Unset, the consumer's concurrency follows its socket pool (functions/consumer/config.ts).
    var.consumer_max_concurrency == null ? {} : { MAX_CONCURRENCY = tostring(var.consumer_max_concurrency) },
  )
}

################################################################################
# Webhook signing secret (created without a value: set it out of band)
################################################################################

resource "aws_secretsmanager_secret" "webhook" {
  count = local.create_secret ? 1 : 0

  # A prefix, not a name: a deleted secret keeps its name for its recovery window (30 days by
  # default), so destroy-then-apply with a fixed name fails ("already scheduled for deletion").
  # Terraform appends a unique suffix on every create; the outputs give the secret's ARN and name.
  # webhook_secret_name keeps a fixed name (0.2.0's secret on upgrade).
  name                    = var.webhook_secret_name
  name_prefix             = var.webhook_secret_name == null ? "${var.name}/webhook-signing-secret-" : null
  description             = "Webhook signing secret (whsec_...) the ${local.producer_function_name} function verifies requests with. Set its value out of band."
  kms_key_id              = var.kms_key_arn
  recovery_window_in_days = var.webhook_secret_recovery_window_in_days
  tags                    = var.tags
}

################################################################################
# Queue, DLQ and their alarms
################################################################################

module "queue" {
  source = "./modules/queue"

  name                                       = local.queue_name
  visibility_timeout_seconds                 = local.queue_visibility_timeout_seconds
  message_retention_seconds                  = var.queue_message_retention_seconds
  dlq_message_retention_seconds              = var.dlq_message_retention_seconds
  max_message_size                           = var.queue_max_message_size
  max_receive_count                          = var.max_receive_count
  create_dlq_redrive_allow_policy            = var.create_dlq_redrive_allow_policy
  kms_key_arn                                = var.kms_key_arn
  sns_topic_arns                             = local.fan_out_enabled ? [module.fan_out[0].topic_arn] : []
  create_alarms                              = var.create_alarms
  oldest_message_age_alarm_threshold_seconds = var.oldest_message_age_alarm_threshold_seconds
  alarm_actions                              = var.alarm_actions
  tags                                       = var.tags
}

################################################################################
# Table
################################################################################

module "table" {
  source = "./modules/table"
  count  = var.existing_table_name == null ? 1 : 0

  name                        = local.table_name
  kms_key_arn                 = var.kms_key_arn
  deletion_protection_enabled = var.table_deletion_protection_enabled
  ttl_attribute_name          = var.table_ttl_attribute_name
  tags                        = var.tags
}

################################################################################
# Functions
################################################################################

module "producer" {
  source = "./modules/traced-function"

  function_name                  = local.producer_function_name
  role_name                      = local.role_names.producer
  description                    = local.fan_out_enabled ? "Verifies webhook requests and publishes them to the ${var.name} topic with the trace context" : "Verifies webhook requests and sends them to ${local.queue_name} with the trace context"
  package_path                   = local.producer_package_path
  runtime                        = var.runtime
  architectures                  = var.architectures
  memory_size                    = var.producer_memory_size
  timeout                        = var.producer_timeout
  reserved_concurrent_executions = var.producer_reserved_concurrent_executions
  environment_variables          = local.producer_environment
  policy_statements              = local.producer_statements

  tracing_enabled             = var.tracing_enabled
  adot_layer_arn              = local.adot_layer_arn
  application_signals_enabled = var.application_signals_enabled
  otel_propagators            = var.otel_propagators
  adot_fast_start             = var.adot_fast_start
  log_level                   = var.log_level

  log_retention_in_days        = var.cloudwatch_log_retention_in_days
  log_kms_key_arn              = var.cloudwatch_logs_kms_key_arn
  vpc_subnet_ids               = var.vpc_subnet_ids
  vpc_security_group_ids       = var.vpc_security_group_ids
  iam_role_path                = var.iam_role_path
  iam_permissions_boundary_arn = var.iam_permissions_boundary_arn
  partition                    = local.partition
  region                       = local.region
  account_id                   = local.account_id
  create_errors_alarm          = false
  tags                         = var.tags
}

module "consumer" {
  source = "./modules/traced-function"

  function_name                  = local.consumer_function_name
  role_name                      = local.role_names.consumer
  description                    = "Stores the events of ${local.queue_name} in ${local.table_name}, one span per record on the producer's trace"
  package_path                   = local.consumer_package_path
  runtime                        = var.runtime
  architectures                  = var.architectures
  memory_size                    = var.consumer_memory_size
  timeout                        = var.consumer_timeout
  reserved_concurrent_executions = var.consumer_reserved_concurrent_executions
  environment_variables          = local.consumer_environment
  policy_statements              = local.consumer_statements

  tracing_enabled             = var.tracing_enabled
  adot_layer_arn              = local.adot_layer_arn
  application_signals_enabled = var.application_signals_enabled
  otel_propagators            = var.otel_propagators
  adot_fast_start             = var.adot_fast_start
  log_level                   = var.log_level

  log_retention_in_days        = var.cloudwatch_log_retention_in_days
  log_kms_key_arn              = var.cloudwatch_logs_kms_key_arn
  vpc_subnet_ids               = var.vpc_subnet_ids
  vpc_security_group_ids       = var.vpc_security_group_ids
  iam_role_path                = var.iam_role_path
  iam_permissions_boundary_arn = var.iam_permissions_boundary_arn
  partition                    = local.partition
  region                       = local.region
  account_id                   = local.account_id
  create_errors_alarm          = var.create_alarms
  alarm_actions                = var.alarm_actions
  tags                         = var.tags
}

################################################################################
# Queue -> consumer
################################################################################

resource "aws_lambda_event_source_mapping" "consumer" {
  event_source_arn                   = module.queue.queue_arn
  function_name                      = module.consumer.function_arn
  batch_size                         = var.batch_size
  maximum_batching_window_in_seconds = var.maximum_batching_window_in_seconds
  function_response_types            = ["ReportBatchItemFailures"]
  enabled                            = var.event_source_mapping_enabled
  tags                               = var.tags

  dynamic "scaling_config" {
    for_each = var.event_source_maximum_concurrency == null ? [] : [var.event_source_maximum_concurrency]
    content {
      maximum_concurrency = scaling_config.value
    }
  }

  dynamic "filter_criteria" {
    for_each = length(var.event_source_filter_patterns) == 0 ? [] : [var.event_source_filter_patterns]
    content {
      dynamic "filter" {
        for_each = filter_criteria.value
        content {
          pattern = filter.value
        }
      }
    }
  }

  # The consumer's role must allow ReceiveMessage before the mapping is created.
  depends_on = [module.consumer]
}

################################################################################
# REST API
################################################################################

module "api" {
  source = "./modules/webhook-api"
  count  = var.create_api ? 1 : 0

  name                    = var.name
  function_name           = module.producer.function_name
  function_invoke_arn     = module.producer.invoke_arn
  source_routes_enabled   = length(var.webhook_sources) > 0
  stage_name              = var.api_stage_name
  endpoint_type           = var.api_endpoint_type
  xray_tracing_enabled    = var.tracing_enabled
  sampling_rule_enabled   = var.xray_sampling_rule_enabled
  sampling_fixed_rate     = var.xray_sampling_fixed_rate
  sampling_reservoir_size = var.xray_sampling_reservoir_size
  sampling_rule_priority  = var.xray_sampling_rule_priority
  throttling_rate_limit   = var.api_throttling_rate_limit
  throttling_burst_limit  = var.api_throttling_burst_limit
  access_logging_enabled  = var.api_access_logging_enabled
  execution_logging_level = var.api_execution_logging_level
  log_retention_in_days   = var.cloudwatch_log_retention_in_days
  log_kms_key_arn         = var.cloudwatch_logs_kms_key_arn
  tags                    = var.tags

  # A stage with access or execution logs needs the account's CloudWatch role first.
  depends_on = [module.api_gateway_account]
}

################################################################################
# API Gateway's account-level CloudWatch role: only when asked
################################################################################

# One setting per account and region, shared by every API there: the module never touches it
# unless create_api_gateway_account_role is true. modules/account-setup, applied once per account
# and region from a long-lived stack, is the better owner (destroying it resets the setting on
# provider 6.x).
module "api_gateway_account" {
  source = "./modules/account-setup"
  count  = var.create_api_gateway_account_role ? 1 : 0

  create_transaction_search_policy   = false
  create_api_gateway_cloudwatch_role = true
  iam_role_path                      = var.iam_role_path
  iam_permissions_boundary_arn       = var.iam_permissions_boundary_arn
  tags                               = var.tags
}

# 0.2.0 kept these in modules/webhook-api: moved, the account setting is updated in place rather
# than destroyed (which provider 6.x turns into a reset for every API in the region).
moved {
  from = module.api[0].aws_iam_role.cloudwatch[0]
  to   = module.api_gateway_account[0].aws_iam_role.api_gateway_cloudwatch[0]
}

moved {
  from = module.api[0].aws_iam_role_policy_attachment.cloudwatch[0]
  to   = module.api_gateway_account[0].aws_iam_role_policy_attachment.api_gateway_cloudwatch[0]
}

moved {
  from = module.api[0].aws_api_gateway_account.this[0]
  to   = module.api_gateway_account[0].aws_api_gateway_account.this[0]
}

################################################################################
# Dashboard
################################################################################

module "dashboard" {
  source = "./modules/dashboard"
  count  = var.create_dashboard ? 1 : 0

  name                   = local.dashboard_name
  region                 = local.region
  partition              = local.partition
  api_name               = var.create_api ? var.name : null
  api_stage_name         = var.create_api ? var.api_stage_name : null
  producer_function_name = module.producer.function_name
  consumer_function_name = module.consumer.function_name
  queue_name             = module.queue.queue_name
  dlq_name               = module.queue.dlq_name
  table_name             = local.table_name
  # Per-source widgets only when there are sources beside /webhook.
  sources                  = length(var.webhook_sources) > 0 ? keys(local.served_sources) : []
  source_metrics_namespace = length(var.webhook_sources) > 0 ? local.source_metrics_namespace : null
}
