# The submodules on their own, so their resources can be asserted directly.

mock_provider "aws" {}

run "traced_function_resources" {
  command = plan

  module {
    source = "./modules/traced-function"
  }

  variables {
    function_name                  = "wh-consumer"
    package_path                   = "dist/consumer.zip"
    timeout                        = 30
    reserved_concurrent_executions = 5
    environment_variables          = { TABLE_NAME = "t" }
    adot_layer_arn                 = "arn:aws:lambda:eu-west-1:615299751070:layer:AWSOpenTelemetryDistroJs:15"
    log_kms_key_arn                = "arn:aws:kms:eu-west-1:123456789012:key/logs"
    log_retention_in_days          = 14
    vpc_subnet_ids                 = ["subnet-0a"]
    vpc_security_group_ids         = ["sg-01"]
    iam_role_path                  = "/service/"
    iam_permissions_boundary_arn   = "arn:aws:iam::123456789012:policy/boundary"
    create_errors_alarm            = true
    alarm_actions                  = ["arn:aws:sns:eu-west-1:123456789012:alarms"]
    policy_statements              = [{ sid = "WriteEvents", actions = ["dynamodb:PutItem"], resources = ["arn:aws:dynamodb:eu-west-1:123456789012:table/t"] }]
    partition                      = "aws"
    region                         = "eu-west-1"
    account_id                     = "123456789012"
    tags                           = { team = "payments" }
  }

  assert {
    condition     = aws_lambda_function.this.handler == "index.handler" && aws_lambda_function.this.runtime == "nodejs22.x" && aws_lambda_function.this.filename == "dist/consumer.zip"
    error_message = "The zip's index.handler on nodejs22.x."
  }

  assert {
    condition     = aws_lambda_function.this.source_code_hash == filebase64sha256("dist/consumer.zip")
    error_message = "source_code_hash comes from the zip."
  }

  assert {
    condition     = aws_lambda_function.this.tracing_config[0].mode == "Active" && jsonencode(aws_lambda_function.this.layers) == jsonencode(["arn:aws:lambda:eu-west-1:615299751070:layer:AWSOpenTelemetryDistroJs:15"])
    error_message = "Active tracing and the layer."
  }

  assert {
    condition     = aws_lambda_function.this.environment[0].variables["AWS_LAMBDA_EXEC_WRAPPER"] == "/opt/otel-instrument" && aws_lambda_function.this.environment[0].variables["TABLE_NAME"] == "t"
    error_message = "The function gets its environment and the wrapper."
  }

  assert {
    condition     = aws_lambda_function.this.reserved_concurrent_executions == 5 && aws_lambda_function.this.timeout == 30 && jsonencode(aws_lambda_function.this.architectures) == jsonencode(["arm64"])
    error_message = "Concurrency, timeout and architecture are passed on."
  }

  assert {
    condition     = aws_lambda_function.this.vpc_config[0].subnet_ids == toset(["subnet-0a"]) && aws_lambda_function.this.vpc_config[0].security_group_ids == toset(["sg-01"])
    error_message = "VPC config is passed on."
  }

  assert {
    condition     = aws_cloudwatch_log_group.this.name == "/aws/lambda/wh-consumer" && aws_cloudwatch_log_group.this.retention_in_days == 14 && aws_cloudwatch_log_group.this.kms_key_id == "arn:aws:kms:eu-west-1:123456789012:key/logs"
    error_message = "The log group is the function's, with retention and KMS."
  }

  assert {
    condition     = aws_iam_role.this.path == "/service/" && aws_iam_role.this.permissions_boundary == "arn:aws:iam::123456789012:policy/boundary" && aws_iam_role.this.name == "wh-consumer-eu-west-1"
    error_message = "Role path and permissions boundary; the role is named after the function and its region (IAM names are global)."
  }

  assert {
    condition     = jsondecode(aws_iam_role_policy.this.policy).Statement[4].Sid == "WriteEvents" && jsondecode(aws_iam_role_policy.this.policy).Statement[0].Resource[0] == "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/wh-consumer:*"
    error_message = "The role policy is the JSON of the statements."
  }

  assert {
    condition     = length(aws_iam_role_policy_attachment.managed) == 2 && aws_iam_role_policy_attachment.managed["xray"].role == "wh-consumer-eu-west-1"
    error_message = "Managed tracing policies attached to the role."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.errors[0].metric_name == "Errors" && aws_cloudwatch_metric_alarm.errors[0].threshold == 0 && aws_cloudwatch_metric_alarm.errors[0].comparison_operator == "GreaterThanThreshold" && jsonencode(aws_cloudwatch_metric_alarm.errors[0].alarm_actions) == jsonencode(["arn:aws:sns:eu-west-1:123456789012:alarms"])
    error_message = "Errors > 0 alarm notifying the actions."
  }

  assert {
    condition     = aws_lambda_function.this.tags["team"] == "payments" && aws_iam_role.this.tags["team"] == "payments" && aws_cloudwatch_log_group.this.tags["team"] == "payments"
    error_message = "Tags on everything."
  }
}

run "traced_function_without_tracing" {
  command = plan

  module {
    source = "./modules/traced-function"
  }

  variables {
    function_name   = "wh-producer"
    package_path    = "dist/producer.zip"
    tracing_enabled = false
    partition       = "aws"
    region          = "eu-west-1"
    account_id      = "123456789012"
  }

  assert {
    condition     = aws_lambda_function.this.tracing_config[0].mode == "PassThrough" && length(aws_lambda_function.this.layers) == 0 && length(aws_iam_role_policy_attachment.managed) == 0
    error_message = "No tracing, layer or tracing policy."
  }

  assert {
    condition     = !contains(keys(aws_lambda_function.this.environment[0].variables), "AWS_LAMBDA_EXEC_WRAPPER") && length(aws_lambda_function.this.vpc_config) == 0
    error_message = "No wrapper; no VPC by default."
  }
}

run "traced_function_requires_layer_when_tracing" {
  command = plan

  module {
    source = "./modules/traced-function"
  }

  variables {
    function_name = "wh-producer"
    package_path  = "dist/producer.zip"
    partition     = "aws"
    region        = "eu-west-1"
    account_id    = "123456789012"
  }

  expect_failures = [var.adot_layer_arn]
}

run "traced_function_refuses_wildcards" {
  command = plan

  module {
    source = "./modules/traced-function"
  }

  variables {
    function_name     = "wh-producer"
    package_path      = "dist/producer.zip"
    tracing_enabled   = false
    policy_statements = [{ sid = "All", actions = ["sqs:*"], resources = ["*"] }]
    partition         = "aws"
    region            = "eu-west-1"
    account_id        = "123456789012"
  }

  expect_failures = [var.policy_statements]
}

run "queue_defaults" {
  command = plan

  module {
    source = "./modules/queue"
  }

  variables {
    name = "wh"
    tags = { team = "payments" }
  }

  assert {
    condition     = aws_sqs_queue.this.sqs_managed_sse_enabled == true && aws_sqs_queue.dlq.sqs_managed_sse_enabled == true && aws_sqs_queue.this.kms_master_key_id == null
    error_message = "SSE-SQS on both queues by default."
  }

  assert {
    condition     = aws_sqs_queue.dlq.name == "wh-dlq" && aws_sqs_queue.dlq.message_retention_seconds == 1209600
    error_message = "The DLQ keeps messages 14 days."
  }

  assert {
    condition     = length(aws_sqs_queue_redrive_allow_policy.dlq) == 1
    error_message = "Redrive-allow policy on by default."
  }

  assert {
    condition     = aws_sqs_queue.this.max_message_size == 262144 && aws_sqs_queue.dlq.max_message_size == 262144 && output.max_message_size == 262144
    error_message = "The size is sent explicitly (262144, the most AWS provider 5.100 accepts), never left to the provider's default."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.dlq_not_empty[0].metric_name == "ApproximateNumberOfMessagesVisible" && aws_cloudwatch_metric_alarm.dlq_not_empty[0].dimensions["QueueName"] == "wh-dlq" && aws_cloudwatch_metric_alarm.dlq_not_empty[0].threshold == 0
    error_message = "Alarm on any visible message in the DLQ."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.oldest_message_age[0].metric_name == "ApproximateAgeOfOldestMessage" && aws_cloudwatch_metric_alarm.oldest_message_age[0].dimensions["QueueName"] == "wh" && aws_cloudwatch_metric_alarm.oldest_message_age[0].threshold == 300
    error_message = "Alarm on the oldest message's age over the threshold."
  }

  assert {
    condition     = aws_sqs_queue.this.tags["team"] == "payments" && aws_sqs_queue.dlq.tags["team"] == "payments" && aws_cloudwatch_metric_alarm.dlq_not_empty[0].tags["team"] == "payments"
    error_message = "Tags on everything."
  }
}

run "queue_kms_and_no_redrive_allow" {
  command = plan

  module {
    source = "./modules/queue"
  }

  variables {
    name                            = "wh"
    kms_key_arn                     = "arn:aws:kms:eu-west-1:123456789012:key/k"
    create_dlq_redrive_allow_policy = false
    create_alarms                   = false
    max_message_size                = 262144
  }

  assert {
    condition     = aws_sqs_queue.this.kms_master_key_id == "arn:aws:kms:eu-west-1:123456789012:key/k" && aws_sqs_queue.dlq.kms_master_key_id == "arn:aws:kms:eu-west-1:123456789012:key/k"
    error_message = "Both queues encrypted with the key, not SSE-SQS."
  }

  assert {
    condition     = length(aws_sqs_queue_redrive_allow_policy.dlq) == 0 && length(aws_cloudwatch_metric_alarm.dlq_not_empty) == 0 && aws_sqs_queue.this.max_message_size == 262144
    error_message = "Switches honoured."
  }
}

run "table_defaults" {
  command = plan

  module {
    source = "./modules/table"
  }

  variables {
    name = "wh-events"
  }

  assert {
    condition     = aws_dynamodb_table.this.hash_key == "eventId" && [for a in aws_dynamodb_table.this.attribute : "${a.name}:${a.type}"] == ["eventId:S"] && aws_dynamodb_table.this.billing_mode == "PAY_PER_REQUEST"
    error_message = "Hash key eventId (S), on demand."
  }

  assert {
    condition     = aws_dynamodb_table.this.point_in_time_recovery[0].enabled == true
    error_message = "Point-in-time recovery on."
  }

  assert {
    condition     = length(aws_dynamodb_table.this.server_side_encryption) == 0 && length(aws_dynamodb_table.this.ttl) == 0 && aws_dynamodb_table.this.deletion_protection_enabled == true
    error_message = "AWS owned key, no TTL, deletion protection by default."
  }
}

run "table_kms_ttl" {
  command = plan

  module {
    source = "./modules/table"
  }

  variables {
    name                        = "wh-events"
    kms_key_arn                 = "arn:aws:kms:eu-west-1:123456789012:key/k"
    ttl_attribute_name          = "expiresAt"
    deletion_protection_enabled = false
  }

  assert {
    condition     = aws_dynamodb_table.this.server_side_encryption[0].enabled && aws_dynamodb_table.this.server_side_encryption[0].kms_key_arn == "arn:aws:kms:eu-west-1:123456789012:key/k"
    error_message = "Encrypted with the given key."
  }

  assert {
    condition     = aws_dynamodb_table.this.ttl[0].attribute_name == "expiresAt" && aws_dynamodb_table.this.ttl[0].enabled && !aws_dynamodb_table.this.deletion_protection_enabled
    error_message = "TTL and deletion protection follow the variables."
  }
}

run "webhook_api" {
  command = plan

  module {
    source = "./modules/webhook-api"
  }

  variables {
    name                   = "wh"
    function_name          = "wh-producer"
    function_invoke_arn    = "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:wh-producer/invocations"
    log_kms_key_arn        = "arn:aws:kms:eu-west-1:123456789012:key/logs"
    access_logging_enabled = true
  }

  assert {
    condition     = aws_api_gateway_resource.webhook.path_part == "webhook" && aws_api_gateway_method.post.http_method == "POST"
    error_message = "POST /webhook."
  }

  assert {
    condition     = aws_api_gateway_integration.post.type == "AWS_PROXY" && aws_api_gateway_integration.post.integration_http_method == "POST" && aws_api_gateway_integration.post.uri == var.function_invoke_arn
    error_message = "Lambda proxy integration to the function."
  }

  assert {
    condition     = aws_api_gateway_stage.this.xray_tracing_enabled == true && aws_api_gateway_stage.this.stage_name == "v1"
    error_message = "The stage traces with X-Ray."
  }

  assert {
    condition     = aws_api_gateway_method_settings.all.method_path == "*/*" && aws_api_gateway_method_settings.all.settings[0].throttling_rate_limit == 100 && aws_api_gateway_method_settings.all.settings[0].throttling_burst_limit == 200
    error_message = "Throttling on every method."
  }

  assert {
    condition     = length(aws_api_gateway_stage.this.access_log_settings) == 1 && can(jsondecode(aws_api_gateway_stage.this.access_log_settings[0].format).xrayTraceId)
    error_message = "JSON access logs with the X-Ray trace id."
  }

  assert {
    condition     = aws_cloudwatch_log_group.access[0].retention_in_days == 30 && aws_cloudwatch_log_group.access[0].kms_key_id == "arn:aws:kms:eu-west-1:123456789012:key/logs"
    error_message = "Access log group with retention and KMS."
  }

  assert {
    condition     = aws_lambda_permission.api.principal == "apigateway.amazonaws.com" && aws_lambda_permission.api.function_name == "wh-producer" && aws_lambda_permission.api.action == "lambda:InvokeFunction"
    error_message = "API Gateway may invoke the function."
  }
}

run "webhook_api_defaults_need_no_account_setting" {
  command = plan

  module {
    source = "./modules/webhook-api"
  }

  variables {
    name                = "wh"
    function_name       = "wh-producer"
    function_invoke_arn = "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:wh-producer/invocations"
  }

  # Access or execution logs need the account's API Gateway CloudWatch role for the region; a
  # stage with access logs fails to create where it was never set.
  assert {
    condition     = length(aws_api_gateway_stage.this.access_log_settings) == 0 && length(aws_cloudwatch_log_group.access) == 0 && !output.access_logging_enabled
    error_message = "No access logs by default."
  }

  assert {
    condition     = aws_api_gateway_method_settings.all.settings[0].logging_level == "OFF" && output.execution_logging_level == "OFF"
    error_message = "No execution logs by default."
  }
}
