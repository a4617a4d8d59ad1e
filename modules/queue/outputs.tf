output "queue_url" {
  description = "URL of the queue."
  value       = aws_sqs_queue.this.url
}

output "queue_arn" {
  description = "ARN of the queue."
  value       = aws_sqs_queue.this.arn
}

output "queue_name" {
  description = "Name of the queue."
  value       = aws_sqs_queue.this.name
}

output "dlq_url" {
  description = "URL of the dead-letter queue."
  value       = aws_sqs_queue.dlq.url
}

output "dlq_arn" {
  description = "ARN of the dead-letter queue."
  value       = aws_sqs_queue.dlq.arn
}

output "dlq_name" {
  description = "Name of the dead-letter queue."
  value       = aws_sqs_queue.dlq.name
}

output "redrive_policy" {
  description = "The queue's redrive policy, as an object."
  value       = local.redrive_policy
}

output "redrive_allow_policy" {
  description = "The DLQ's redrive-allow policy, as an object (null when not created)."
  value       = var.create_dlq_redrive_allow_policy ? local.redrive_allow_policy : null
}

output "queue_policy" {
  description = "The resource policies of the queue (TLS only, and the SNS delivery of sns_topic_arns) and the DLQ (TLS only), as objects keyed queue and dlq."
  value       = local.queue_policies
}

output "alarm_arns" {
  description = "ARNs of the queue alarms, keyed dlq_not_empty and oldest_message_age (empty when not created)."
  value = var.create_alarms ? {
    dlq_not_empty      = aws_cloudwatch_metric_alarm.dlq_not_empty[0].arn
    oldest_message_age = aws_cloudwatch_metric_alarm.oldest_message_age[0].arn
  } : {}
}

output "visibility_timeout_seconds" {
  description = "Visibility timeout of the queue."
  value       = aws_sqs_queue.this.visibility_timeout_seconds
}

output "max_message_size" {
  description = "Maximum message size of the queue (and the DLQ) in bytes, as deployed."
  value       = aws_sqs_queue.this.max_message_size
}
