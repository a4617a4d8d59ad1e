output "producer_function_arn" {
  description = "ARN of the producer, now behind POST /webhook of the existing API."
  value       = module.webhook.producer_function_arn
}

output "webhook_resource_path" {
  description = "Path added to the existing REST API (redeploy its stage to publish it)."
  value       = aws_api_gateway_resource.webhook.path
}

output "queue_url" {
  description = "URL of the queue."
  value       = module.webhook.queue_url
}

output "dlq_url" {
  description = "URL of the dead-letter queue."
  value       = module.webhook.dlq_url
}

output "consumer_role_arn" {
  description = "Role of the consumer (carries the account's permissions boundary)."
  value       = module.webhook.consumer_role_arn
}
