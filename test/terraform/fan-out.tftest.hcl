# Fan-out (var.fan_out) with a mock AWS provider, plan only: off by default, the single queue
# exactly as before; on, the topic, one subscription per consumer with its delivery and filter,
# each consumer's own queue, DLQ, alarms, mapping, function, role and table, the producer
# publishing instead of sending.

mock_provider "aws" {
  mock_data "aws_partition" {
    defaults = { partition = "aws", dns_suffix = "amazonaws.com" }
  }
  mock_data "aws_region" {
    defaults = { id = "eu-west-1" }
  }
  mock_data "aws_caller_identity" {
    defaults = { account_id = "123456789012" }
  }
}

override_resource {
  target          = module.queue.aws_sqs_queue.this
  override_during = plan
  values = {
    arn = "arn:aws:sqs:eu-west-1:123456789012:wh"
    id  = "https://sqs.eu-west-1.amazonaws.com/123456789012/wh"
    url = "https://sqs.eu-west-1.amazonaws.com/123456789012/wh"
  }
}

override_resource {
  target          = module.queue.aws_sqs_queue.dlq
  override_during = plan
  values = {
    arn = "arn:aws:sqs:eu-west-1:123456789012:wh-dlq"
    id  = "https://sqs.eu-west-1.amazonaws.com/123456789012/wh-dlq"
    url = "https://sqs.eu-west-1.amazonaws.com/123456789012/wh-dlq"
  }
}

override_resource {
  target          = module.table[0].aws_dynamodb_table.this
  override_during = plan
  values          = { arn = "arn:aws:dynamodb:eu-west-1:123456789012:table/wh-events" }
}

override_resource {
  target          = aws_secretsmanager_secret.webhook
  override_during = plan
  values          = { arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:wh/webhook-signing-secret-AbCdEf" }
}

override_resource {
  target          = module.fan_out[0].aws_sns_topic.this
  override_during = plan
  values          = { arn = "arn:aws:sns:eu-west-1:123456789012:wh" }
}

override_resource {
  target          = module.fan_out_queue["notifications"].aws_sqs_queue.this
  override_during = plan
  values = {
    arn = "arn:aws:sqs:eu-west-1:123456789012:wh-notifications"
    id  = "https://sqs.eu-west-1.amazonaws.com/123456789012/wh-notifications"
    url = "https://sqs.eu-west-1.amazonaws.com/123456789012/wh-notifications"
  }
}

override_resource {
  target          = module.fan_out_queue["notifications"].aws_sqs_queue.dlq
  override_during = plan
  values = {
    arn = "arn:aws:sqs:eu-west-1:123456789012:wh-notifications-dlq"
    id  = "https://sqs.eu-west-1.amazonaws.com/123456789012/wh-notifications-dlq"
    url = "https://sqs.eu-west-1.amazonaws.com/123456789012/wh-notifications-dlq"
  }
}

override_resource {
  target          = module.fan_out_queue["analytics"].aws_sqs_queue.this
  override_during = plan
  values = {
    arn = "arn:aws:sqs:eu-west-1:123456789012:wh-analytics"
    id  = "https://sqs.eu-west-1.amazonaws.com/123456789012/wh-analytics"
    url = "https://sqs.eu-west-1.amazonaws.com/123456789012/wh-analytics"
  }
}

override_resource {
  target          = module.fan_out_table["notifications"].aws_dynamodb_table.this
  override_during = plan
  values          = { arn = "arn:aws:dynamodb:eu-west-1:123456789012:table/wh-notifications-events" }
}

variables {
  name = "wh"
}

# The default deployment is unchanged: no topic, no fan-out resource, the producer sends to the
# queue, the queue's policy is the TLS-only one, the roles hold what they held.
run "default_plans_no_topic_and_the_same_resources" {
  command = plan

  variables {
    kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:key/1111aaaa-2222-3333-4444-555566667777"
  }

  assert {
    condition     = length(module.fan_out) == 0 && length(module.fan_out_queue) == 0 && length(module.fan_out_table) == 0 && length(module.fan_out_consumer) == 0 && length(aws_lambda_event_source_mapping.fan_out) == 0 && output.fan_out == null
    error_message = "Without fan_out nothing of the fan-out may be planned."
  }

  assert {
    condition     = jsonencode(module.queue.queue_policy.queue.Statement[*].Sid) == jsonencode(["DenyInsecureTransport"]) && jsonencode(module.queue.queue_policy.dlq.Statement[*].Sid) == jsonencode(["DenyInsecureTransport"])
    error_message = "Without fan_out the queue policies are the TLS-only ones: ${jsonencode(module.queue.queue_policy)}"
  }

  assert {
    condition     = jsonencode(module.producer.role_policy.Statement[*].Sid) == jsonencode(["WriteOwnLogGroup", "SendToQueue", "ReadWebhookSecret", "EncryptQueueMessages", "DecryptWebhookSecret"]) && jsonencode(module.consumer.role_policy.Statement[*].Sid) == jsonencode(["WriteOwnLogGroup", "ConsumeQueue", "WriteEvents", "DecryptQueueMessages", "UseTableKey"])
    error_message = "Without fan_out the roles hold exactly what they held: ${jsonencode(module.producer.role_policy.Statement[*].Sid)} ${jsonencode(module.consumer.role_policy.Statement[*].Sid)}"
  }

  assert {
    condition     = module.producer.environment_variables["QUEUE_URL"] == "https://sqs.eu-west-1.amazonaws.com/123456789012/wh" && !contains(keys(module.producer.environment_variables), "TOPIC_ARN") && !contains(keys(module.producer.environment_variables), "TOPIC_ENVELOPE_DELIVERY")
    error_message = "Without fan_out the producer sends to the queue."
  }
}

run "fan_out_topic_subscriptions_and_consumers" {
  command = plan

  variables {
    kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:key/1111aaaa-2222-3333-4444-555566667777"
    fan_out = {
      own_consumer = { name = "billing" }
      consumers = {
        notifications = { raw_message_delivery = false, event_types = ["invoice.*", "customer.created"], timeout = 10 }
        analytics = {
          package_path          = "dist/consumer.zip"
          environment_variables = { SINK = "x" }
          policy_statements     = [{ sid = "WriteSink", actions = ["firehose:PutRecord"], resources = ["arn:aws:firehose:eu-west-1:123456789012:deliverystream/sink"] }]
        }
      }
    }
  }

  assert {
    condition     = module.fan_out[0].topic_name == "wh" && module.fan_out[0].tracing_config == "Active" && module.fan_out[0].kms_master_key_id == var.kms_key_arn
    error_message = "The topic is named after the pipeline, X-Ray active tracing, encrypted with the module's key."
  }

  assert {
    condition = jsonencode(module.fan_out[0].subscriptions) == jsonencode({
      analytics     = { queue_arn = "arn:aws:sqs:eu-west-1:123456789012:wh-analytics", raw_message_delivery = true, filter_policy = null }
      billing       = { queue_arn = "arn:aws:sqs:eu-west-1:123456789012:wh", raw_message_delivery = true, filter_policy = null }
      notifications = { queue_arn = "arn:aws:sqs:eu-west-1:123456789012:wh-notifications", raw_message_delivery = false, filter_policy = jsonencode({ "webhook-event-type" = [{ prefix = "invoice." }, "customer.created"] }) }
    })
    error_message = "One subscription per consumer, own_consumer's on the module's queue, with its delivery and filter: ${jsonencode(module.fan_out[0].subscriptions)}"
  }

  assert {
    condition = alltrue([for policy in [module.queue.queue_policy.queue, module.fan_out_queue["notifications"].queue_policy.queue, module.fan_out_queue["analytics"].queue_policy.queue] : jsonencode(policy.Statement[1]) == jsonencode({
      Sid       = "AllowTopicDelivery"
      Effect    = "Allow"
      Principal = { Service = "sns.amazonaws.com" }
      Action    = "sqs:SendMessage"
      Resource  = policy.Statement[0].Resource
      Condition = { ArnEquals = { "aws:SourceArn" = ["arn:aws:sns:eu-west-1:123456789012:wh"] } }
    })]) && jsonencode(module.fan_out_queue["notifications"].queue_policy.dlq.Statement[*].Sid) == jsonencode(["DenyInsecureTransport"])
    error_message = "Every subscribed queue lets the topic (and only it) send to it; the DLQs stay TLS only."
  }

  assert {
    condition = jsonencode(module.producer.role_policy.Statement) == jsonencode([
      { Sid = "WriteOwnLogGroup", Effect = "Allow", Action = ["logs:CreateLogStream", "logs:PutLogEvents"], Resource = ["arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/wh-producer:*"] },
      { Sid = "PublishToTopic", Effect = "Allow", Action = ["sns:Publish"], Resource = ["arn:aws:sns:eu-west-1:123456789012:wh"] },
      { Sid = "EncryptTopicMessages", Effect = "Allow", Action = ["kms:GenerateDataKey", "kms:Decrypt"], Resource = [var.kms_key_arn], Condition = { StringEquals = { "kms:ViaService" = ["sns.eu-west-1.amazonaws.com"] } } },
      { Sid = "ReadWebhookSecret", Effect = "Allow", Action = ["secretsmanager:GetSecretValue"], Resource = ["arn:aws:secretsmanager:eu-west-1:123456789012:secret:wh/webhook-signing-secret-AbCdEf"] },
      { Sid = "DecryptWebhookSecret", Effect = "Allow", Action = ["kms:Decrypt"], Resource = [var.kms_key_arn], Condition = { StringEquals = { "kms:ViaService" = ["secretsmanager.eu-west-1.amazonaws.com"] } } },
    ])
    error_message = "The producer publishes to the topic (and uses the key through SNS) instead of sending to the queue: ${jsonencode(module.producer.role_policy.Statement)}"
  }

  assert {
    condition     = module.producer.environment_variables["TOPIC_ARN"] == "arn:aws:sns:eu-west-1:123456789012:wh" && module.producer.environment_variables["TOPIC_ENVELOPE_DELIVERY"] == "true" && !contains(keys(module.producer.environment_variables), "QUEUE_URL") && module.producer.environment_variables["QUEUE_MAX_MESSAGE_BYTES"] == "262144"
    error_message = "The producer gets the topic, whether an envelope must fit a queue, and the queues' size: ${jsonencode(module.producer.environment_variables)}"
  }

  assert {
    condition = jsonencode(module.fan_out_consumer["notifications"].role_policy.Statement) == jsonencode([
      { Sid = "WriteOwnLogGroup", Effect = "Allow", Action = ["logs:CreateLogStream", "logs:PutLogEvents"], Resource = ["arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/wh-notifications:*"] },
      { Sid = "ConsumeQueue", Effect = "Allow", Action = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"], Resource = ["arn:aws:sqs:eu-west-1:123456789012:wh-notifications"] },
      { Sid = "WriteEvents", Effect = "Allow", Action = ["dynamodb:PutItem"], Resource = ["arn:aws:dynamodb:eu-west-1:123456789012:table/wh-notifications-events"] },
      { Sid = "DecryptQueueMessages", Effect = "Allow", Action = ["kms:Decrypt"], Resource = [var.kms_key_arn], Condition = { StringEquals = { "kms:ViaService" = ["sqs.eu-west-1.amazonaws.com"] } } },
      { Sid = "UseTableKey", Effect = "Allow", Action = ["kms:Decrypt", "kms:DescribeKey"], Resource = [var.kms_key_arn], Condition = { StringEquals = { "kms:ViaService" = ["dynamodb.eu-west-1.amazonaws.com"] } } },
    ])
    error_message = "A built-in store's role holds only its own queue and table: ${jsonencode(module.fan_out_consumer["notifications"].role_policy.Statement)}"
  }

  assert {
    condition     = jsonencode(module.fan_out_consumer["analytics"].role_policy.Statement[*].Sid) == jsonencode(["WriteOwnLogGroup", "ConsumeQueue", "DecryptQueueMessages", "WriteSink"]) && module.fan_out_consumer["analytics"].role_policy.Statement[1].Resource[0] == "arn:aws:sqs:eu-west-1:123456789012:wh-analytics"
    error_message = "A package of one's own gets its queue and its own statements, no table: ${jsonencode(module.fan_out_consumer["analytics"].role_policy.Statement)}"
  }

  assert {
    condition     = module.fan_out_consumer["notifications"].environment_variables["TABLE_NAME"] == "wh-notifications-events" && module.fan_out_consumer["analytics"].environment_variables["SINK"] == "x" && !contains(keys(module.fan_out_consumer["analytics"].environment_variables), "TABLE_NAME")
    error_message = "The built-in store writes its own table; a package gets its own environment."
  }

  assert {
    condition     = module.fan_out_consumer["notifications"].role_name == "wh-notifications-eu-west-1" && module.fan_out_consumer["notifications"].function_name == "wh-notifications" && module.fan_out_queue["notifications"].queue_name == "wh-notifications" && module.fan_out_queue["notifications"].dlq_name == "wh-notifications-dlq"
    error_message = "Each consumer's function, role, queue and DLQ are named <name>-<consumer>."
  }

  assert {
    condition     = module.fan_out_queue["notifications"].visibility_timeout_seconds == 60 && module.fan_out_queue["notifications"].redrive_policy.maxReceiveCount == 3 && length(module.fan_out_queue["notifications"].alarm_arns) == 2 && module.fan_out_consumer["notifications"].errors_alarm_name == "wh-notifications-errors"
    error_message = "Each consumer's queue: visibility 6x its own timeout, a DLQ after 3 receives, its alarms and its function's errors alarm."
  }

  assert {
    condition     = alltrue([for key in ["notifications", "analytics"] : aws_lambda_event_source_mapping.fan_out[key].function_response_types == toset(["ReportBatchItemFailures"]) && aws_lambda_event_source_mapping.fan_out[key].event_source_arn == module.fan_out_queue[key].queue_arn])
    error_message = "Each consumer's queue is mapped to its function with ReportBatchItemFailures."
  }

  assert {
    condition     = jsonencode(keys(output.fan_out.consumers)) == jsonencode(["analytics", "billing", "notifications"]) && output.fan_out.consumers.billing.own && output.fan_out.consumers.billing.table_name == "wh-events" && output.fan_out.consumers.notifications.table_name == "wh-notifications-events" && output.fan_out.consumers.analytics.table_name == null && output.fan_out.consumers.notifications.dlq_url == "https://sqs.eu-west-1.amazonaws.com/123456789012/wh-notifications-dlq"
    error_message = "The fan_out output names every consumer with what where-is reads."
  }
}

run "fan_out_filters_on_sources_and_types" {
  command = plan

  variables {
    webhook_sources = { github = { scheme = "github" }, shopify = { scheme = "shopify" } }
    fan_out = {
      own_consumer = { name = "billing", sources = ["stripe"] }
      consumers = {
        notifications = { event_types = ["invoice.*", "push"], sources = ["stripe", "github"] }
        analytics     = { sources = ["shopify"] }
      }
    }
  }

  assert {
    condition = jsonencode({ for key, subscription in module.fan_out[0].subscriptions : key => subscription.filter_policy == null ? null : jsondecode(subscription.filter_policy) }) == jsonencode({
      analytics     = { "webhook-source" = ["shopify"] }
      billing       = { "webhook-source" = ["stripe"] }
      notifications = { "webhook-event-type" = [{ prefix = "invoice." }, "push"], "webhook-source" = ["stripe", "github"] }
    })
    error_message = "Each subscription filters on the sources it names (webhook-source), and on types too when it names both: ${jsonencode(module.fan_out[0].subscriptions)}"
  }

  assert {
    condition     = output.fan_out.consumers.notifications.filter_policy == module.fan_out[0].subscriptions.notifications.filter_policy
    error_message = "The fan_out output shows each consumer's filter as subscribed."
  }
}

run "fan_out_without_a_key_uses_the_aws_managed_key_and_needs_no_kms_grant" {
  command = plan

  variables {
    fan_out = { consumers = { notifications = { event_types = ["invoice.paid"] } } }
  }

  assert {
    condition     = module.fan_out[0].kms_master_key_id == "alias/aws/sns" && jsonencode(module.producer.role_policy.Statement[*].Sid) == jsonencode(["WriteOwnLogGroup", "PublishToTopic", "ReadWebhookSecret"])
    error_message = "Without kms_key_arn the topic is encrypted with SNS's AWS managed key and the producer needs no KMS grant."
  }

  assert {
    condition     = module.producer.environment_variables["TOPIC_ENVELOPE_DELIVERY"] == "false" && jsonencode(keys(output.fan_out.consumers)) == jsonencode(["notifications", "store"])
    error_message = "Every subscription raw (the default), own_consumer named store: no envelope to fit."
  }
}
