# The SNS topic between the producer and its consumers (fan-out): encrypted like the queues,
# traced by X-Ray, TLS only, and one subscription per consumer's queue with its own raw-delivery
# setting and filter policy. The queues (and their policies letting this topic deliver) are the
# callers': modules/queue, one per consumer.

locals {
  # Deny every publish that does not use TLS, as the queues deny every SQS call without it; it
  # grants nothing (the producer's role grants sns:Publish).
  topic_policy = {
    Version = "2012-10-17"
    Statement = [{
      Sid       = "DenyInsecureTransport"
      Effect    = "Deny"
      Principal = "*"
      Action    = "sns:Publish"
      Resource  = aws_sns_topic.this.arn
      Condition = { Bool = { "aws:SecureTransport" = "false" } }
    }]
  }
}

resource "aws_sns_topic" "this" {
  name = var.name
  # SNS's own segments in X-Ray and the publisher's header passed on to the subscribed queues
  # (AWSTraceHeader); PassThrough would only pass it on.
  tracing_config = var.tracing_enabled ? "Active" : "PassThrough"
  # Always encrypted at rest, like the queues: the customer managed key (the publisher then needs
  # kms:GenerateDataKey and kms:Decrypt on it through SNS), else SNS's AWS managed key.
  kms_master_key_id = coalesce(var.kms_key_arn, "alias/aws/sns")
  tags              = var.tags
}

resource "aws_sns_topic_policy" "this" {
  arn    = aws_sns_topic.this.arn
  policy = jsonencode(local.topic_policy)
}

resource "aws_sns_topic_subscription" "this" {
  for_each = var.subscriptions

  topic_arn            = aws_sns_topic.this.arn
  protocol             = "sqs"
  endpoint             = each.value.queue_arn
  raw_message_delivery = each.value.raw_message_delivery
  filter_policy        = each.value.filter_policy
  # The filter reads message attributes (the producer's webhook-event-type and webhook-source), not the body.
  filter_policy_scope = each.value.filter_policy == null ? null : "MessageAttributes"
}
