output "webhook_url" {
  description = "URL to register with Stripe."
  value       = module.webhook.webhook_url
}

output "webhook_secret_arn" {
  description = "Secret to put the Stripe signing secret in."
  value       = module.webhook.webhook_secret_arn
}

output "queue_url" {
  description = "URL of the queue."
  value       = module.webhook.queue_url
}

output "dlq_url" {
  description = "URL of the dead-letter queue."
  value       = module.webhook.dlq_url
}

output "table_name" {
  description = "Table the events land in."
  value       = module.webhook.table_name
}

output "alarm_topic_arn" {
  description = "SNS topic the alarms notify; subscribe to it."
  value       = aws_sns_topic.alarms.arn
}

output "account_cli_commands" {
  description = "Account-level switches Terraform cannot set (X-Ray's segment destination for Transaction Search, Application Signals discovery): run each once per account and region."
  value       = module.account.cli_commands
}
