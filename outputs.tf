################################################################################
# API
################################################################################

output "webhook_url" {
  description = "URL to register with the webhook sender (POST); null when create_api is false."
  value       = one(module.api[*].webhook_url)
}

output "api_id" {
  description = "Id of the REST API; null when create_api is false."
  value       = one(module.api[*].rest_api_id)
}

output "api_stage_name" {
  description = "Stage of the REST API; null when create_api is false."
  value       = one(module.api[*].stage_name)
}

output "api_access_log_group_name" {
  description = "Log group of the API's access logs; null when create_api or api_access_logging_enabled is false."
  value       = one(module.api[*].access_log_group_name)
}

output "xray_sampling_rule_name" {
  description = "Name of the X-Ray sampling rule for the API's stage (<name>-webhook, or a shortened unique form within X-Ray's 32 characters); null when not created."
  value       = one(module.api[*].sampling_rule_name)
}

output "xray_sampling_rule_arn" {
  description = "ARN of the X-Ray sampling rule for the API's stage; null when not created."
  value       = one(module.api[*].sampling_rule_arn)
}

output "api_gateway_cloudwatch_role_name" {
  description = "Name of the account's API Gateway CloudWatch role the module created; null unless create_api_gateway_account_role is true."
  value       = one(module.api_gateway_account[*].api_gateway_cloudwatch_role_name)
}

output "api_gateway_cloudwatch_role_arn" {
  description = "ARN of the account's API Gateway CloudWatch role the module created and set for this region; null unless create_api_gateway_account_role is true."
  value       = one(module.api_gateway_account[*].api_gateway_cloudwatch_role_arn)
}

################################################################################
# Queue
################################################################################

output "queue_url" {
  description = "URL of the queue between the producer and the consumer."
  value       = module.queue.queue_url
}

output "queue_arn" {
  description = "ARN of the queue between the producer and the consumer."
  value       = module.queue.queue_arn
}

output "dlq_url" {
  description = "URL of the dead-letter queue."
  value       = module.queue.dlq_url
}

output "dlq_arn" {
  description = "ARN of the dead-letter queue."
  value       = module.queue.dlq_arn
}

################################################################################
# Table
################################################################################

output "table_name" {
  description = "Name of the DynamoDB table the consumer writes to (created or existing)."
  value       = local.table_name
}

output "table_arn" {
  description = "ARN of the DynamoDB table the consumer writes to (created or existing)."
  value       = local.table_arn
}

################################################################################
# Functions
################################################################################

output "producer_function_name" {
  description = "Name of the producer function."
  value       = module.producer.function_name
}

output "producer_function_arn" {
  description = "ARN of the producer function."
  value       = module.producer.function_arn
}

output "producer_invoke_arn" {
  description = "Invoke ARN of the producer, for wiring it into an existing API Gateway (create_api = false)."
  value       = module.producer.invoke_arn
}

output "consumer_function_name" {
  description = "Name of the consumer function."
  value       = module.consumer.function_name
}

output "consumer_function_arn" {
  description = "ARN of the consumer function."
  value       = module.consumer.function_arn
}

output "producer_role_name" {
  description = "Name of the producer's IAM role."
  value       = module.producer.role_name
}

output "producer_role_arn" {
  description = "ARN of the producer's IAM role."
  value       = module.producer.role_arn
}

output "consumer_role_name" {
  description = "Name of the consumer's IAM role."
  value       = module.consumer.role_name
}

output "consumer_role_arn" {
  description = "ARN of the consumer's IAM role."
  value       = module.consumer.role_arn
}

output "producer_log_group_name" {
  description = "Log group of the producer."
  value       = module.producer.log_group_name
}

output "consumer_log_group_name" {
  description = "Log group of the consumer."
  value       = module.consumer.log_group_name
}

output "event_source_mapping_uuid" {
  description = "UUID of the queue -> consumer event source mapping."
  value       = aws_lambda_event_source_mapping.consumer.uuid
}

output "adot_layer_arn" {
  description = "ADOT layer attached to both functions; null when tracing is off."
  value       = local.adot_layer_arn
}

output "adot_layer_release" {
  description = "ADOT release of that layer: adot-layer.json's for the default layer, adot_layer_release for one of your own; null when tracing is off or the release is not declared."
  value       = local.adot_layer_release
}

################################################################################
# Secret
################################################################################

output "webhook_secret_name" {
  description = "Name of the Secrets Manager secret holding the webhook signing secret: <name>/webhook-signing-secret-<unique suffix> when the module created it (a new suffix on every create, so destroy-then-apply never meets a name still scheduled for deletion); null when webhook_verification is none or webhook_secret_arn is given."
  value       = one(aws_secretsmanager_secret.webhook[*].name)
}

output "webhook_secret_arn" {
  description = "ARN of the Secrets Manager secret holding the webhook signing secret (created or given); null when webhook_verification is none. Set its value with `aws secretsmanager put-secret-value`."
  value       = local.webhook_secret_arn
}

################################################################################
# Dashboard
################################################################################

output "dashboard_name" {
  description = "Name of the CloudWatch dashboard; null when create_dashboard is false."
  value       = one(module.dashboard[*].dashboard_name)
}

output "dashboard_url" {
  description = "The CloudWatch dashboard in the console; null when create_dashboard is false."
  value       = one(module.dashboard[*].dashboard_url)
}

################################################################################
# Fan-out
################################################################################

output "fan_out" {
  description = "The fan-out, null when fan_out is off: the topic (topic_arn, topic_name) and each consumer by name, own_consumer's included (own = true): its function, role, log group, queue, DLQ, table (null for a package of its own), raw_message_delivery, filter_policy, subscription_arn and event_source_mapping_uuid. where-is and redrive read it to answer per consumer."
  value = local.fan_out_enabled ? {
    topic_arn  = module.fan_out[0].topic_arn
    topic_name = module.fan_out[0].topic_name
    consumers = merge(
      {
        (local.fan_out_own.name) = {
          own                       = true
          function_name             = module.consumer.function_name
          function_arn              = module.consumer.function_arn
          role_name                 = module.consumer.role_name
          role_arn                  = module.consumer.role_arn
          log_group_name            = module.consumer.log_group_name
          queue_url                 = module.queue.queue_url
          queue_arn                 = module.queue.queue_arn
          dlq_url                   = module.queue.dlq_url
          dlq_arn                   = module.queue.dlq_arn
          table_name                = local.table_name
          table_arn                 = local.table_arn
          raw_message_delivery      = local.fan_out_own.raw_message_delivery
          filter_policy             = local.fan_out_filter_policy[local.fan_out_own.name]
          subscription_arn          = module.fan_out[0].subscription_arns[local.fan_out_own.name]
          event_source_mapping_uuid = aws_lambda_event_source_mapping.consumer.uuid
        }
      },
      { for key, consumer in local.fan_out_consumers : key => {
        own                       = false
        function_name             = module.fan_out_consumer[key].function_name
        function_arn              = module.fan_out_consumer[key].function_arn
        role_name                 = module.fan_out_consumer[key].role_name
        role_arn                  = module.fan_out_consumer[key].role_arn
        log_group_name            = module.fan_out_consumer[key].log_group_name
        queue_url                 = module.fan_out_queue[key].queue_url
        queue_arn                 = module.fan_out_queue[key].queue_arn
        dlq_url                   = module.fan_out_queue[key].dlq_url
        dlq_arn                   = module.fan_out_queue[key].dlq_arn
        table_name                = try(module.fan_out_table[key].name, null)
        table_arn                 = try(module.fan_out_table[key].arn, null)
        raw_message_delivery      = consumer.raw_message_delivery
        filter_policy             = local.fan_out_filter_policy[key]
        subscription_arn          = module.fan_out[0].subscription_arns[key]
        event_source_mapping_uuid = aws_lambda_event_source_mapping.fan_out[key].uuid
      } },
    )
  } : null
}

################################################################################
# Webhook sources
################################################################################

output "webhook_sources" {
  description = "Every source the producer serves, by name (stripe for /webhook, then webhook_sources): its scheme, route, url (null without create_api), secret_arn and secret_name (null for a secret you gave), and key_prefix, what its events' table keys start with (\"\" for /webhook's bare ids, \"<source>#\" for the others). where-is and redrive read it for --source."
  value       = local.served_sources
}

output "source_metrics_namespace" {
  description = "CloudWatch namespace of the per-source metrics (WebhooksAccepted, WebhooksRejected, WebhooksStored; dimension Source) published from the functions' log lines; null without webhook_sources."
  value       = length(var.webhook_sources) > 0 ? local.source_metrics_namespace : null
}
