output "producer_function_name" {
  description = "Name of the producer Lambda function."
  value       = module.webhook.producer_function_name
}

output "consumer_function_name" {
  description = "Name of the consumer Lambda function."
  value       = module.webhook.consumer_function_name
}

output "queue_url" {
  description = "URL of the webhook queue."
  value       = module.webhook.queue_url
}

output "dlq_url" {
  description = "URL of the dead-letter queue."
  value       = module.webhook.dlq_url
}

output "table_name" {
  description = "Name of the events table."
  value       = module.webhook.table_name
}

output "webhook_secret_arn" {
  description = "ARN of the webhook signing secret (the demo sets its value out of band)."
  value       = module.webhook.webhook_secret_arn
}

output "webhook_sources" {
  description = "Every source the producer serves (stripe on /webhook, then webhook_sources): scheme, route, secret and key prefix."
  value       = module.webhook.webhook_sources
}

output "event_source_mapping_uuid" {
  description = "UUID of the consumer's event source mapping."
  value       = module.webhook.event_source_mapping_uuid
}

output "api_id" {
  description = "ID of the REST API (the local API Gateway reads its stage and resource back from the emulator)."
  value       = module.webhook.api_id
}

output "kms_key_arn" {
  description = "ARN of the customer managed key that encrypts the queues, the table and the secret."
  value       = aws_kms_key.data.arn
}

output "fan_out" {
  description = "The module's fan_out output: the topic and each consumer (null without fan-out)."
  value       = module.webhook.fan_out
}
