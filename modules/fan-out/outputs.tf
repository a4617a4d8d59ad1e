output "topic_arn" {
  description = "ARN of the topic."
  value       = aws_sns_topic.this.arn
}

output "topic_name" {
  description = "Name of the topic."
  value       = aws_sns_topic.this.name
}

output "topic_policy" {
  description = "The topic's TLS-only resource policy, as an object."
  value       = local.topic_policy
}

output "subscription_arns" {
  description = "ARN of each consumer's subscription, keyed by consumer."
  value       = { for consumer, subscription in aws_sns_topic_subscription.this : consumer => subscription.arn }
}

output "subscriptions" {
  description = "Each consumer's subscription as planned, keyed by consumer: queue_arn, raw_message_delivery and filter_policy (JSON on message attributes, or null)."
  value = { for consumer, subscription in aws_sns_topic_subscription.this : consumer => {
    queue_arn            = subscription.endpoint
    raw_message_delivery = subscription.raw_message_delivery
    filter_policy        = subscription.filter_policy
  } }
}

output "tracing_config" {
  description = "X-Ray tracing of the topic: Active or PassThrough."
  value       = aws_sns_topic.this.tracing_config
}

output "kms_master_key_id" {
  description = "The key the topic encrypts messages with (the customer managed key, or alias/aws/sns)."
  value       = aws_sns_topic.this.kms_master_key_id
}
