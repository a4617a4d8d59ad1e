# Fan-out (var.fan_out): an SNS topic between the producer and several consumers. The producer
# publishes each verified webhook to the topic; the module's own consumer (its queue, function and
# table in main.tf) subscribes to it under var.fan_out.own_consumer.name, and each entry of
# var.fan_out.consumers gets a queue, DLQ, alarms, event source mapping, function and role of its
# own (and, for the built-in store, a table of its own). Each consumer's failures stay in its own
# queue: one consumer's poison message is retried and dead-lettered there only. Off (null), none
# of this exists and main.tf plans exactly the single queue.

locals {
  fan_out_enabled   = var.fan_out != null
  fan_out_own       = local.fan_out_enabled ? var.fan_out.own_consumer : null
  fan_out_consumers = local.fan_out_enabled ? var.fan_out.consumers : {}
  # Consumers without a package of their own run the built-in store, each with its own table.
  fan_out_stores = { for key, consumer in local.fan_out_consumers : key => consumer if consumer.package_path == null }

  fan_out_function_names = { for key in keys(local.fan_out_consumers) : key => "${var.name}-${key}" }
  # IAM role names are global to the account, as for the module's own roles (main.tf).
  fan_out_role_names = { for key, fn in local.fan_out_function_names : key => (
    length("${fn}-${local.region}") <= 64 ? "${fn}-${local.region}" : "${substr(var.name, 0, 53 - length(key) - length(local.region))}-${substr(sha1("${fn}-${local.region}"), 0, 8)}-${key}-${local.region}"
  ) }
  fan_out_table_names = { for key in keys(local.fan_out_stores) : key => "${var.name}-${key}-events" }

  # A filter policy on the producer's attributes (functions/webhook-identity.ts): webhook-event-type
  # (exact types, or a prefix for a type ending in *) and webhook-source (exact names); SNS
  # delivers when every key present matches. Neither: no filter, every event.
  fan_out_filters = merge(
    local.fan_out_enabled ? { (local.fan_out_own.name) = local.fan_out_own } : {},
    local.fan_out_consumers,
  )
  fan_out_filter_policy = { for key, consumer in local.fan_out_filters : key => (
    length(consumer.event_types) == 0 && length(consumer.sources) == 0 ? null : "{${join(",", concat(
      # Written as JSON text: a list mixing strings and objects has no single Terraform type.
      length(consumer.event_types) == 0 ? [] : ["\"webhook-event-type\":[${join(",", [for type in consumer.event_types : endswith(type, "*") ? jsonencode({ prefix = trimsuffix(type, "*") }) : jsonencode(type)])}]"],
      length(consumer.sources) == 0 ? [] : ["\"webhook-source\":${jsonencode(consumer.sources)}"],
    ))}}"
  ) }

  fan_out_subscriptions = local.fan_out_enabled ? merge(
    {
      (local.fan_out_own.name) = {
        queue_arn            = module.queue.queue_arn
        raw_message_delivery = local.fan_out_own.raw_message_delivery
        filter_policy        = local.fan_out_filter_policy[local.fan_out_own.name]
      }
    },
    { for key, consumer in local.fan_out_consumers : key => {
      queue_arn            = module.fan_out_queue[key].queue_arn
      raw_message_delivery = consumer.raw_message_delivery
      filter_policy        = local.fan_out_filter_policy[key]
    } },
  ) : {}

  sns_service = "sns.${local.region}.${local.dns_suffix}"

  # What the producer needs to publish instead of sending to the queue: sns:Publish on the topic
  # and, with a customer managed key, what SNS does with it on the publisher's behalf.
  fan_out_producer_statements = local.fan_out_enabled ? concat(
    [{
      sid        = "PublishToTopic"
      actions    = ["sns:Publish"]
      resources  = [module.fan_out[0].topic_arn]
      conditions = []
    }],
    # SNS encrypts each message with a data key made with the publisher's permissions, and
    # decrypts it with them to check it: both, on this key only, only through SNS.
    var.kms_key_arn != null ? [{
      sid       = "EncryptTopicMessages"
      actions   = ["kms:GenerateDataKey", "kms:Decrypt"]
      resources = [var.kms_key_arn]
      conditions = [{
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = [local.sns_service]
      }]
    }] : [],
  ) : []

  fan_out_producer_environment = local.fan_out_enabled ? {
    TOPIC_ARN = module.fan_out[0].topic_arn
    # A subscription without raw delivery receives SNS's envelope, which must fit its queue too.
    TOPIC_ENVELOPE_DELIVERY = tostring(anytrue([for subscription in values(local.fan_out_subscriptions) : !subscription.raw_message_delivery]))
  } : {}

  # Each consumer's own permissions only: its queue, its table (the built-in store), the key for
  # both through their services, and the statements its package needs.
  fan_out_consumer_statements = { for key, consumer in local.fan_out_consumers : key => concat(
    [{
      sid        = "ConsumeQueue"
      actions    = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"]
      resources  = [module.fan_out_queue[key].queue_arn]
      conditions = []
    }],
    consumer.package_path == null ? [{
      sid        = "WriteEvents"
      actions    = ["dynamodb:PutItem"]
      resources  = [module.fan_out_table[key].arn]
      conditions = []
    }] : [],
    var.kms_key_arn != null ? [{
      sid        = "DecryptQueueMessages"
      actions    = ["kms:Decrypt"]
      resources  = [var.kms_key_arn]
      conditions = [{ test = "StringEquals", variable = "kms:ViaService", values = [local.sqs_service] }]
    }] : [],
    # As for the module's own consumer (main.tf, UseTableKey): DynamoDB uses the table's key on
    # behalf of the writer.
    consumer.package_path == null && var.kms_key_arn != null ? [{
      sid        = "UseTableKey"
      actions    = ["kms:Decrypt", "kms:DescribeKey"]
      resources  = [var.kms_key_arn]
      conditions = [{ test = "StringEquals", variable = "kms:ViaService", values = [local.dynamodb_service] }]
    }] : [],
    consumer.policy_statements,
  ) }

  fan_out_consumer_environment = { for key, consumer in local.fan_out_consumers : key => merge(
    consumer.environment_variables,
    { OTEL_STRICT = tostring(var.otel_strict) },
    consumer.package_path == null ? {
      TABLE_NAME           = local.fan_out_table_names[key]
      TRACE_LINK_MODE      = var.trace_link_mode
      DYNAMODB_MAX_SOCKETS = tostring(var.consumer_dynamodb_max_sockets)
    } : {},
  ) }
}

module "fan_out" {
  source = "./modules/fan-out"
  count  = local.fan_out_enabled ? 1 : 0

  name            = var.name
  kms_key_arn     = var.kms_key_arn
  tracing_enabled = var.tracing_enabled
  subscriptions   = local.fan_out_subscriptions
  tags            = var.tags
}

module "fan_out_queue" {
  source   = "./modules/queue"
  for_each = local.fan_out_consumers

  name                                       = local.fan_out_function_names[each.key]
  visibility_timeout_seconds                 = coalesce(var.queue_visibility_timeout_seconds, 6 * coalesce(each.value.timeout, var.consumer_timeout))
  message_retention_seconds                  = var.queue_message_retention_seconds
  dlq_message_retention_seconds              = var.dlq_message_retention_seconds
  max_message_size                           = var.queue_max_message_size
  max_receive_count                          = var.max_receive_count
  create_dlq_redrive_allow_policy            = var.create_dlq_redrive_allow_policy
  kms_key_arn                                = var.kms_key_arn
  sns_topic_arns                             = [module.fan_out[0].topic_arn]
  create_alarms                              = var.create_alarms
  oldest_message_age_alarm_threshold_seconds = var.oldest_message_age_alarm_threshold_seconds
  alarm_actions                              = var.alarm_actions
  tags                                       = var.tags
}

module "fan_out_table" {
  source   = "./modules/table"
  for_each = local.fan_out_stores

  name                        = local.fan_out_table_names[each.key]
  kms_key_arn                 = var.kms_key_arn
  deletion_protection_enabled = var.table_deletion_protection_enabled
  ttl_attribute_name          = var.table_ttl_attribute_name
  tags                        = var.tags
}

module "fan_out_consumer" {
  source   = "./modules/traced-function"
  for_each = local.fan_out_consumers

  function_name         = local.fan_out_function_names[each.key]
  role_name             = local.fan_out_role_names[each.key]
  description           = each.value.package_path == null ? "Stores the events of ${local.fan_out_function_names[each.key]} in ${local.fan_out_table_names[each.key]} (fan-out consumer ${each.key}), one span per record on the producer's trace" : "Fan-out consumer ${each.key} of ${var.name}'s topic"
  package_path          = coalesce(each.value.package_path, "${path.module}/dist/consumer.zip")
  runtime               = var.runtime
  architectures         = var.architectures
  memory_size           = coalesce(each.value.memory_size, var.consumer_memory_size)
  timeout               = coalesce(each.value.timeout, var.consumer_timeout)
  environment_variables = local.fan_out_consumer_environment[each.key]
  policy_statements     = local.fan_out_consumer_statements[each.key]

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

resource "aws_lambda_event_source_mapping" "fan_out" {
  for_each = local.fan_out_consumers

  event_source_arn                   = module.fan_out_queue[each.key].queue_arn
  function_name                      = module.fan_out_consumer[each.key].function_arn
  batch_size                         = coalesce(each.value.batch_size, var.batch_size)
  maximum_batching_window_in_seconds = coalesce(each.value.maximum_batching_window_in_seconds, var.maximum_batching_window_in_seconds)
  function_response_types            = ["ReportBatchItemFailures"]
  enabled                            = var.event_source_mapping_enabled
  tags                               = var.tags

  dynamic "scaling_config" {
    for_each = var.event_source_maximum_concurrency == null ? [] : [var.event_source_maximum_concurrency]
    content {
      maximum_concurrency = scaling_config.value
    }
  }

  # The consumer's role must allow ReceiveMessage before the mapping is created.
  depends_on = [module.fan_out_consumer]
}
