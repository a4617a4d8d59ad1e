# The work queue and its dead-letter queue: redrive, redrive-allow, encryption at rest, a
# TLS-only resource policy on both, and the alarms that say messages are stuck.

locals {
  sse_sqs = var.kms_key_arn == null

  redrive_policy = {
    deadLetterTargetArn = aws_sqs_queue.dlq.arn
    maxReceiveCount     = var.max_receive_count
  }

  redrive_allow_policy = {
    redrivePermission = "byQueue"
    sourceQueueArns   = [aws_sqs_queue.this.arn]
  }

  # Deny every request that does not use TLS. A Deny on the whole service (sqs:*) so that no
  # action escapes it; it grants nothing.
  queue_policies = { for key, arn in { queue = aws_sqs_queue.this.arn, dlq = aws_sqs_queue.dlq.arn } : key => {
    Version = "2012-10-17"
    Statement = concat([{
      Sid       = "DenyInsecureTransport"
      Effect    = "Deny"
      Principal = "*"
      Action    = "sqs:*"
      Resource  = arn
      Condition = { Bool = { "aws:SecureTransport" = "false" } }
      }],
      # A topic delivers as the SNS service principal, which has no identity policy: only the
      # queue's own policy can let it send, and only for the named topics (aws:SourceArn, against
      # a confused deputy).
      key == "queue" && length(var.sns_topic_arns) > 0 ? [{
        Sid       = "AllowTopicDelivery"
        Effect    = "Allow"
        Principal = { Service = "sns.amazonaws.com" }
        Action    = "sqs:SendMessage"
        Resource  = arn
        Condition = { ArnEquals = { "aws:SourceArn" = var.sns_topic_arns } }
    }] : [])
  } }
}

resource "aws_sqs_queue" "dlq" {
  name                      = "${var.name}-dlq"
  message_retention_seconds = var.dlq_message_retention_seconds
  max_message_size          = var.max_message_size
  sqs_managed_sse_enabled   = local.sse_sqs ? true : null
  kms_master_key_id         = var.kms_key_arn
  tags                      = var.tags
}

resource "aws_sqs_queue" "this" {
  name                       = var.name
  visibility_timeout_seconds = var.visibility_timeout_seconds
  message_retention_seconds  = var.message_retention_seconds
  max_message_size           = var.max_message_size
  sqs_managed_sse_enabled    = local.sse_sqs ? true : null
  kms_master_key_id          = var.kms_key_arn
  tags                       = var.tags
}

resource "aws_sqs_queue_redrive_policy" "this" {
  queue_url      = aws_sqs_queue.this.id
  redrive_policy = jsonencode(local.redrive_policy)
}

resource "aws_sqs_queue_redrive_allow_policy" "dlq" {
  count = var.create_dlq_redrive_allow_policy ? 1 : 0

  queue_url            = aws_sqs_queue.dlq.id
  redrive_allow_policy = jsonencode(local.redrive_allow_policy)
}

# Created after the redrive resources: some emulators clear a queue's Policy when another
# attribute is set, and real SQS does not mind the order.
resource "aws_sqs_queue_policy" "this" {
  queue_url = aws_sqs_queue.this.id
  policy    = jsonencode(local.queue_policies.queue)

  depends_on = [aws_sqs_queue_redrive_policy.this]
}

resource "aws_sqs_queue_policy" "dlq" {
  queue_url = aws_sqs_queue.dlq.id
  policy    = jsonencode(local.queue_policies.dlq)

  depends_on = [aws_sqs_queue_redrive_allow_policy.dlq]
}

resource "aws_cloudwatch_metric_alarm" "dlq_not_empty" {
  count = var.create_alarms ? 1 : 0

  alarm_name          = "${var.name}-dlq-not-empty"
  alarm_description   = "Messages reached the dead-letter queue ${aws_sqs_queue.dlq.name}."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = aws_sqs_queue.dlq.name }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.alarm_actions
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "oldest_message_age" {
  count = var.create_alarms ? 1 : 0

  alarm_name          = "${var.name}-oldest-message-age"
  alarm_description   = "The oldest message in ${aws_sqs_queue.this.name} waited more than ${var.oldest_message_age_alarm_threshold_seconds} s."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateAgeOfOldestMessage"
  dimensions          = { QueueName = aws_sqs_queue.this.name }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 1
  threshold           = var.oldest_message_age_alarm_threshold_seconds
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.alarm_actions
  tags                = var.tags
}
