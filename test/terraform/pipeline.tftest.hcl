# The root module with a mock AWS provider: wiring, environment, layer, policies and options.
# Plan-only; the overrides give the resources known ARNs at plan time.

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
  target          = module.producer.aws_lambda_function.this
  override_during = plan
  values = {
    arn        = "arn:aws:lambda:eu-west-1:123456789012:function:wh-producer"
    invoke_arn = "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:wh-producer/invocations"
  }
}

override_resource {
  target          = module.consumer.aws_lambda_function.this
  override_during = plan
  values          = { arn = "arn:aws:lambda:eu-west-1:123456789012:function:wh-consumer" }
}

override_resource {
  target          = module.api[0].aws_api_gateway_rest_api.this
  override_during = plan
  values = {
    id               = "abc123"
    root_resource_id = "root0"
    execution_arn    = "arn:aws:execute-api:eu-west-1:123456789012:abc123"
  }
}

override_resource {
  target          = module.api[0].aws_api_gateway_resource.webhook
  override_during = plan
  values          = { id = "res0", path = "/webhook" }
}

override_resource {
  target          = module.api[0].aws_api_gateway_stage.this
  override_during = plan
  values = {
    invoke_url = "https://abc123.execute-api.eu-west-1.amazonaws.com/v1"
    arn        = "arn:aws:apigateway:eu-west-1::/restapis/abc123/stages/v1"
  }
}

variables {
  name = "wh"
}

run "defaults_wire_api_producer_queue_consumer_table" {
  command = plan

  assert {
    condition     = module.api[0].integration_uri == output.producer_invoke_arn && output.producer_invoke_arn == "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:wh-producer/invocations"
    error_message = "POST /webhook must proxy to the producer's invoke ARN."
  }

  assert {
    condition     = module.api[0].lambda_permission_source_arn == "arn:aws:execute-api:eu-west-1:123456789012:abc123/*/POST/webhook"
    error_message = "API Gateway may invoke the producer only for POST /webhook of this API."
  }

  assert {
    condition     = output.webhook_url == "https://abc123.execute-api.eu-west-1.amazonaws.com/v1/webhook"
    error_message = "webhook_url must be the stage URL plus /webhook."
  }

  assert {
    condition     = module.producer.environment_variables["QUEUE_URL"] == "https://sqs.eu-west-1.amazonaws.com/123456789012/wh" && output.queue_url == module.producer.environment_variables["QUEUE_URL"]
    error_message = "The producer must send to the module's queue."
  }

  assert {
    condition     = aws_lambda_event_source_mapping.consumer.event_source_arn == "arn:aws:sqs:eu-west-1:123456789012:wh" && aws_lambda_event_source_mapping.consumer.function_name == "arn:aws:lambda:eu-west-1:123456789012:function:wh-consumer"
    error_message = "The mapping must connect the queue to the consumer."
  }

  assert {
    condition     = aws_lambda_event_source_mapping.consumer.batch_size == 10 && aws_lambda_event_source_mapping.consumer.maximum_batching_window_in_seconds == 5
    error_message = "Batch size 10 and a 5 s batching window by default."
  }

  assert {
    condition     = aws_lambda_event_source_mapping.consumer.enabled == true
    error_message = "The mapping is enabled by default."
  }

  assert {
    condition     = aws_lambda_event_source_mapping.consumer.function_response_types == toset(["ReportBatchItemFailures"])
    error_message = "The mapping must report batch item failures."
  }

  assert {
    condition     = length(aws_lambda_event_source_mapping.consumer.scaling_config) == 0 && length(aws_lambda_event_source_mapping.consumer.filter_criteria) == 0
    error_message = "No scaling limit and no filter by default."
  }

  assert {
    condition     = module.consumer.environment_variables["TABLE_NAME"] == "wh-events" && output.table_arn == "arn:aws:dynamodb:eu-west-1:123456789012:table/wh-events"
    error_message = "The consumer must write to the module's table."
  }

  assert {
    condition     = module.queue.redrive_policy.deadLetterTargetArn == "arn:aws:sqs:eu-west-1:123456789012:wh-dlq" && module.queue.redrive_policy.maxReceiveCount == 3
    error_message = "The queue must redrive to the DLQ after 3 receives."
  }

  assert {
    condition     = jsonencode(module.queue.redrive_allow_policy.sourceQueueArns) == jsonencode(["arn:aws:sqs:eu-west-1:123456789012:wh"]) && module.queue.redrive_allow_policy.redrivePermission == "byQueue"
    error_message = "Only the queue may use the DLQ."
  }

  assert {
    condition     = output.dlq_arn == "arn:aws:sqs:eu-west-1:123456789012:wh-dlq" && output.queue_arn == "arn:aws:sqs:eu-west-1:123456789012:wh"
    error_message = "Queue outputs must be the queue's and the DLQ's ARNs."
  }
}

# The README says only name is required: then nothing may need an account-level setting. A stage
# with access logs (or execution logs) fails to create in a region where the account's API
# Gateway CloudWatch role was never set, and aws_api_gateway_account is shared by every API.
run "only_name_needs_no_account_level_setting" {
  command = plan

  assert {
    condition     = length(module.api_gateway_account) == 0 && output.api_gateway_cloudwatch_role_arn == null
    error_message = "With only name, the module must not manage the account's API Gateway CloudWatch role (aws_api_gateway_account)."
  }

  assert {
    condition     = !module.api[0].access_logging_enabled && output.api_access_log_group_name == null
    error_message = "With only name, the stage must have no access_log_settings (they need the account's CloudWatch role)."
  }

  assert {
    condition     = module.api[0].execution_logging_level == "OFF"
    error_message = "With only name, execution logging must be OFF (it needs the account's CloudWatch role)."
  }
}

run "account_role_when_asked" {
  command = plan

  variables {
    create_api_gateway_account_role = true
    api_access_logging_enabled      = true
    api_execution_logging_level     = "ERROR"
  }

  assert {
    condition     = length(module.api_gateway_account) == 1 && output.api_gateway_cloudwatch_role_name == "api-gateway-cloudwatch-logs-eu-west-1"
    error_message = "create_api_gateway_account_role creates the region's account role through modules/account-setup."
  }

  assert {
    condition     = module.api[0].access_logging_enabled && output.api_access_log_group_name == "/aws/apigateway/wh/access" && module.api[0].execution_logging_level == "ERROR"
    error_message = "Logging follows the switches."
  }
}

run "defaults_environment_and_layer" {
  command = plan

  assert {
    condition = jsonencode(module.producer.environment_variables) == jsonencode({
      QUEUE_URL                            = "https://sqs.eu-west-1.amazonaws.com/123456789012/wh"
      WEBHOOK_VERIFICATION                 = "stripe"
      WEBHOOK_SECRET_ARN                   = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:wh/webhook-signing-secret-AbCdEf"
      WEBHOOK_TOLERANCE_SECONDS            = "300"
      MAX_BODY_BYTES                       = "245760"
      QUEUE_MAX_MESSAGE_BYTES              = "262144"
      OTEL_STRICT                          = "false"
      AWS_LAMBDA_EXEC_WRAPPER              = "/opt/otel-instrument"
      OTEL_SERVICE_NAME                    = "wh-producer"
      OTEL_AWS_APPLICATION_SIGNALS_ENABLED = "true"
      OTEL_PROPAGATORS                     = "xray"
      OTEL_METRICS_EXPORTER                = "none"
    })
    error_message = "Unexpected producer environment: ${jsonencode(module.producer.environment_variables)}"
  }

  assert {
    condition = jsonencode(module.consumer.environment_variables) == jsonencode({
      TABLE_NAME                           = "wh-events"
      TRACE_LINK_MODE                      = "parent"
      DYNAMODB_MAX_SOCKETS                 = "128"
      OTEL_STRICT                          = "false"
      AWS_LAMBDA_EXEC_WRAPPER              = "/opt/otel-instrument"
      OTEL_SERVICE_NAME                    = "wh-consumer"
      OTEL_AWS_APPLICATION_SIGNALS_ENABLED = "true"
      OTEL_PROPAGATORS                     = "xray"
      OTEL_METRICS_EXPORTER                = "none"
    })
    error_message = "Unexpected consumer environment: ${jsonencode(module.consumer.environment_variables)}"
  }

  assert {
    condition     = jsonencode(module.producer.layers) == jsonencode(["arn:aws:lambda:eu-west-1:615299751070:layer:AWSOpenTelemetryDistroJs:15"]) && jsonencode(module.consumer.layers) == jsonencode(module.producer.layers)
    error_message = "Both functions need the region's ADOT layer."
  }

  assert {
    condition     = jsonencode(module.producer.logging_config) == jsonencode({ log_format = "JSON", application_log_level = "INFO", system_log_level = "INFO" }) && jsonencode(module.consumer.logging_config) == jsonencode(module.producer.logging_config)
    error_message = "JSON logs at INFO by default: ${jsonencode(module.producer.logging_config)}"
  }

  assert {
    condition     = module.producer.tracing_mode == "Active" && module.consumer.tracing_mode == "Active" && module.api[0].xray_tracing_enabled
    error_message = "X-Ray active tracing on both functions and the stage."
  }

  assert {
    condition = module.producer.managed_policy_arns == toset([
      "arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess",
      "arn:aws:iam::aws:policy/CloudWatchLambdaApplicationSignalsExecutionRolePolicy",
    ]) && module.consumer.managed_policy_arns == module.producer.managed_policy_arns
    error_message = "X-Ray and Application Signals managed policies on both roles."
  }

  assert {
    condition     = output.producer_log_group_name == "/aws/lambda/wh-producer" && output.consumer_log_group_name == "/aws/lambda/wh-consumer"
    error_message = "Each function logs to its own module-created log group."
  }
}

# AWS provider 5.100 sends 262144 when max_message_size is unset (its schema default), not SQS's
# 1 MiB: the size is sent explicitly, the producer is told it, and the body limit leaves the
# 16 KiB allowance within it, so a body near the limit is answered 413 instead of SendMessage
# failing (502, retried by the sender until it gives up).
run "queue_size_is_explicit_and_the_producer_knows_it" {
  command = plan

  assert {
    condition     = module.queue.max_message_size == 262144 && module.producer.environment_variables["QUEUE_MAX_MESSAGE_BYTES"] == "262144"
    error_message = "The queue's size is sent (262144 by default) and passed to the producer as QUEUE_MAX_MESSAGE_BYTES."
  }

  assert {
    condition     = tonumber(module.producer.environment_variables["MAX_BODY_BYTES"]) + 16384 <= tonumber(module.producer.environment_variables["QUEUE_MAX_MESSAGE_BYTES"])
    error_message = "The default body limit must leave the 16 KiB allowance within the queue really deployed."
  }
}

# AWS provider 5.100 refuses more than 262144 at plan ("expected max_message_size to be in the
# range (1024 - 262144)"), so a 1 MiB queue cannot be planned here; a smaller one shows the
# wiring.
run "smaller_queue_is_passed_on" {
  command = plan

  variables {
    queue_max_message_size = 131072
    max_body_bytes         = 114688
  }

  assert {
    condition     = module.queue.max_message_size == 131072 && module.producer.environment_variables["QUEUE_MAX_MESSAGE_BYTES"] == "131072" && module.producer.environment_variables["MAX_BODY_BYTES"] == "114688"
    error_message = "The queue's size and the body limit that fits it reach the producer."
  }
}

# X-Ray's default rule traces 1 request a second and 5% of the rest, and API Gateway applies the
# account's rules: without a rule of the stage's own, most webhooks of a burst get no trace.
run "sampling_rule_traces_every_webhook_of_this_stage" {
  command = plan

  assert {
    condition = module.api[0].sampling_rule == {
      rule_name      = "wh-webhook"
      priority       = 100
      fixed_rate     = 1
      reservoir_size = 1
      service_name   = "wh/v1"
      service_type   = "AWS::ApiGateway::Stage"
      host           = "*"
      http_method    = "POST"
      url_path       = "*/webhook"
      resource_arn   = "arn:aws:apigateway:eu-west-1::/restapis/abc123/stages/v1"
      version        = 1
    }
    error_message = "One rule, on by default at rate 1.0, scoped to POST /webhook of this API's stage: ${jsonencode(module.api[0].sampling_rule)}"
  }

  assert {
    condition     = output.xray_sampling_rule_name == "wh-webhook"
    error_message = "The rule's name is an output."
  }
}

run "sampling_rule_lower_rate" {
  command = plan

  variables {
    xray_sampling_fixed_rate     = 0.1
    xray_sampling_reservoir_size = 5
    xray_sampling_rule_priority  = 10
    api_stage_name               = "live"
  }

  assert {
    condition     = module.api[0].sampling_rule.fixed_rate == 0.1 && module.api[0].sampling_rule.reservoir_size == 5 && module.api[0].sampling_rule.priority == 10 && module.api[0].sampling_rule.service_name == "wh/live"
    error_message = "Rate, reservoir, priority and stage follow the variables."
  }
}

run "sampling_rule_off" {
  command = plan

  variables {
    xray_sampling_rule_enabled = false
  }

  assert {
    condition     = module.api[0].sampling_rule == null && output.xray_sampling_rule_name == null && output.xray_sampling_rule_arn == null
    error_message = "xray_sampling_rule_enabled = false creates no rule."
  }
}

run "sampling_rule_long_name" {
  command = plan

  variables {
    name = "a-forty-character-pipeline-name-00000001"
  }

  assert {
    condition     = length(output.xray_sampling_rule_name) == 32 && startswith(output.xray_sampling_rule_name, "a-forty-character-pipel-") && output.xray_sampling_rule_name == "a-forty-character-pipel-${substr(sha1("a-forty-character-pipeline-name-00000001"), 0, 8)}"
    error_message = "A rule name fits X-Ray's 32 characters, deterministically: ${output.xray_sampling_rule_name}"
  }
}

# Upgrading from 0.2.0 without replacing the roles or the secret (and losing its value): the
# old names can be kept.
run "upgrade_keeps_0_2_0_names" {
  command = plan

  variables {
    iam_role_names      = { producer = "wh-producer", consumer = "wh-consumer" }
    webhook_secret_name = "wh/webhook-signing-secret"
  }

  assert {
    condition     = output.producer_role_name == "wh-producer" && output.consumer_role_name == "wh-consumer"
    error_message = "iam_role_names overrides the role names."
  }

  assert {
    condition     = aws_secretsmanager_secret.webhook[0].name == "wh/webhook-signing-secret"
    error_message = "webhook_secret_name gives the secret a fixed name."
  }
}

run "defaults_least_privilege" {
  command = plan

  assert {
    condition = jsonencode(module.producer.role_policy.Statement) == jsonencode([
      {
        Sid      = "WriteOwnLogGroup"
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = ["arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/wh-producer:*"]
      },
      {
        Sid      = "SendToQueue"
        Effect   = "Allow"
        Action   = ["sqs:SendMessage"]
        Resource = ["arn:aws:sqs:eu-west-1:123456789012:wh"]
      },
      {
        Sid      = "ReadWebhookSecret"
        Effect   = "Allow"
        Action   = ["secretsmanager:GetSecretValue"]
        Resource = ["arn:aws:secretsmanager:eu-west-1:123456789012:secret:wh/webhook-signing-secret-AbCdEf"]
      },
    ])
    error_message = "Unexpected producer policy: ${jsonencode(module.producer.role_policy)}"
  }

  assert {
    condition = jsonencode(module.consumer.role_policy.Statement) == jsonencode([
      {
        Sid      = "WriteOwnLogGroup"
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = ["arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/wh-consumer:*"]
      },
      {
        Sid      = "ConsumeQueue"
        Effect   = "Allow"
        Action   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"]
        Resource = ["arn:aws:sqs:eu-west-1:123456789012:wh"]
      },
      {
        Sid      = "WriteEvents"
        Effect   = "Allow"
        Action   = ["dynamodb:PutItem"]
        Resource = ["arn:aws:dynamodb:eu-west-1:123456789012:table/wh-events"]
      },
    ])
    error_message = "Unexpected consumer policy: ${jsonencode(module.consumer.role_policy)}"
  }

  assert {
    condition = alltrue(flatten([for p in [module.producer.role_policy, module.consumer.role_policy] : [
      for s in p.Statement : [for a in s.Action : a != "*" && !endswith(a, ":*")]
    ]]))
    error_message = "No wildcard action in any role policy."
  }

  assert {
    condition = alltrue(flatten([for p in [module.producer.role_policy, module.consumer.role_policy] : [
      for s in p.Statement : [for r in s.Resource : r != "*"]
    ]]))
    error_message = "No wildcard resource in any role policy outside a VPC."
  }

  assert {
    condition     = jsonencode(module.producer.assume_role_policy.Statement[0].Principal) == jsonencode({ Service = "lambda.amazonaws.com" }) && module.producer.assume_role_policy.Statement[0].Condition.StringEquals["aws:SourceAccount"] == "123456789012"
    error_message = "Only Lambda, from this account, may assume the role."
  }
}

run "defaults_encryption_tls_pitr_alarms" {
  command = plan

  assert {
    condition = jsonencode(module.queue.queue_policy.queue.Statement) == jsonencode([{
      Sid       = "DenyInsecureTransport"
      Effect    = "Deny"
      Principal = "*"
      Action    = "sqs:*"
      Resource  = "arn:aws:sqs:eu-west-1:123456789012:wh"
      Condition = { Bool = { "aws:SecureTransport" = "false" } }
    }])
    error_message = "The queue must deny requests without TLS."
  }

  assert {
    condition     = module.queue.queue_policy.dlq.Statement[0].Resource == "arn:aws:sqs:eu-west-1:123456789012:wh-dlq" && module.queue.queue_policy.dlq.Statement[0].Effect == "Deny"
    error_message = "The DLQ must deny requests without TLS too."
  }

  assert {
    condition     = length(module.queue.alarm_arns) == 2 && module.consumer.errors_alarm_name == "wh-consumer-errors" && module.producer.errors_alarm_name == null
    error_message = "DLQ, oldest-message and consumer-errors alarms by default."
  }

  assert {
    condition     = length(aws_secretsmanager_secret.webhook) == 1 && aws_secretsmanager_secret.webhook[0].kms_key_id == null
    error_message = "Without webhook_secret_arn the module creates the secret (no value)."
  }
}

# A deleted secret keeps its name for its recovery window (30 days by default): a fixed name
# would make destroy-then-apply fail. Every create gets a fresh name from the prefix.
run "secret_name_is_fresh_on_every_create" {
  command = plan

  assert {
    condition     = aws_secretsmanager_secret.webhook[0].name_prefix == "wh/webhook-signing-secret-" && aws_secretsmanager_secret.webhook[0].recovery_window_in_days == 30
    error_message = "The secret is created from a name prefix (a unique suffix per create), keeping its 30-day recovery window."
  }
}

run "tracing_off_drops_layer_wrapper_and_policies" {
  command = plan

  variables {
    tracing_enabled = false
  }

  assert {
    condition     = length(module.producer.layers) == 0 && length(module.consumer.layers) == 0 && output.adot_layer_arn == null
    error_message = "No layer without tracing."
  }

  assert {
    condition = alltrue([for k in ["AWS_LAMBDA_EXEC_WRAPPER", "OTEL_SERVICE_NAME", "OTEL_AWS_APPLICATION_SIGNALS_ENABLED", "OTEL_PROPAGATORS", "OTEL_METRICS_EXPORTER"] :
    !contains(keys(module.producer.environment_variables), k) && !contains(keys(module.consumer.environment_variables), k)])
    error_message = "No ADOT environment without tracing."
  }

  assert {
    condition     = module.producer.environment_variables["QUEUE_URL"] == "https://sqs.eu-west-1.amazonaws.com/123456789012/wh" && module.consumer.environment_variables["TABLE_NAME"] == "wh-events"
    error_message = "The functions' own settings stay."
  }

  assert {
    condition     = length(module.producer.managed_policy_arns) == 0 && length(module.consumer.managed_policy_arns) == 0
    error_message = "No tracing policies without tracing."
  }

  assert {
    condition     = module.producer.tracing_mode == "PassThrough" && !module.api[0].xray_tracing_enabled
    error_message = "No active tracing on functions or stage."
  }

  assert {
    condition     = output.xray_sampling_rule_name == null
    error_message = "No sampling rule without tracing."
  }
}

run "application_signals_off_keeps_xray" {
  command = plan

  variables {
    application_signals_enabled = false
    otel_propagators            = "tracecontext,xray"
  }

  assert {
    condition     = module.producer.managed_policy_arns == toset(["arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess"])
    error_message = "Only the X-Ray policy without Application Signals."
  }

  assert {
    condition     = module.consumer.environment_variables["OTEL_AWS_APPLICATION_SIGNALS_ENABLED"] == "false" && module.consumer.environment_variables["OTEL_PROPAGATORS"] == "tracecontext,xray"
    error_message = "The environment follows the variables."
  }
}

run "layer_override_and_version" {
  command = plan

  variables {
    adot_layer_arn = "arn:aws:lambda:eu-west-1:111122223333:layer:MyOtel:3"
  }

  assert {
    condition     = jsonencode(module.producer.layers) == jsonencode(["arn:aws:lambda:eu-west-1:111122223333:layer:MyOtel:3"])
    error_message = "adot_layer_arn overrides the default."
  }
}

run "layer_version_per_region" {
  command = plan

  assert {
    condition     = output.adot_layer_release == jsondecode(file("adot-layer.json")).release
    error_message = "The default layer's release is adot-layer.json's."
  }

  # eu-west-1 (the mock region) from adot-layer.json: the data file, not a number in the code.
  assert {
    condition     = output.adot_layer_arn == jsondecode(file("adot-layer.json")).arns["eu-west-1"] && endswith(output.adot_layer_arn, ":layer:AWSOpenTelemetryDistroJs:15")
    error_message = "The default layer comes from adot-layer.json: ${coalesce(output.adot_layer_arn, "null")}"
  }
}

run "fast_start_and_log_level" {
  command = plan

  variables {
    adot_fast_start    = true
    adot_layer_arn     = "arn:aws:lambda:eu-west-1:111122223333:layer:AWSOpenTelemetryDistroJs:20"
    adot_layer_release = "0.13.0"
    log_level          = "WARN"
  }

  assert {
    condition     = output.adot_layer_release == "0.13.0"
    error_message = "The declared release of a layer of one's own is an output."
  }

  assert {
    condition     = module.producer.environment_variables["OTEL_AWS_LAMBDA_FAST_START"] == "true" && module.consumer.environment_variables["OTEL_AWS_LAMBDA_FAST_START"] == "true"
    error_message = "adot_fast_start sets OTEL_AWS_LAMBDA_FAST_START=true on both functions."
  }

  assert {
    condition     = module.producer.logging_config.application_log_level == "WARN" && module.consumer.logging_config.application_log_level == "WARN" && module.consumer.logging_config.log_format == "JSON"
    error_message = "log_level sets the JSON logging config of both functions: ${jsonencode(module.consumer.logging_config)}"
  }
}

run "fast_start_off_without_tracing" {
  command = plan

  variables {
    adot_fast_start = true
    tracing_enabled = false
  }

  assert {
    condition     = !contains(keys(module.consumer.environment_variables), "OTEL_AWS_LAMBDA_FAST_START")
    error_message = "No layer, no fast-start variable."
  }
}

run "create_api_false" {
  command = plan

  variables {
    create_api = false
  }

  assert {
    condition     = length(module.api) == 0 && output.webhook_url == null && output.api_id == null && output.xray_sampling_rule_name == null
    error_message = "No API when create_api is false."
  }

  assert {
    condition     = output.producer_function_name == "wh-producer" && output.producer_function_arn == "arn:aws:lambda:eu-west-1:123456789012:function:wh-producer" && endswith(output.producer_invoke_arn, "function:wh-producer/invocations")
    error_message = "The producer's name, ARN and invoke ARN are given for wiring."
  }
}

run "existing_table" {
  command = plan

  variables {
    existing_table_name = "team-events"
  }

  assert {
    condition     = length(module.table) == 0
    error_message = "No table is created."
  }

  assert {
    condition     = module.consumer.environment_variables["TABLE_NAME"] == "team-events" && output.table_name == "team-events"
    error_message = "The consumer writes to the existing table."
  }

  assert {
    condition     = jsonencode(module.consumer.role_policy.Statement[2]) == jsonencode({ Sid = "WriteEvents", Effect = "Allow", Action = ["dynamodb:PutItem"], Resource = ["arn:aws:dynamodb:eu-west-1:123456789012:table/team-events"] })
    error_message = "The consumer's policy targets the existing table."
  }
}

run "kms_key" {
  command = plan

  variables {
    kms_key_arn                 = "arn:aws:kms:eu-west-1:123456789012:key/1111aaaa-2222-3333-4444-555566667777"
    cloudwatch_logs_kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:key/logs0000-2222-3333-4444-555566667777"
  }

  assert {
    condition = jsonencode(module.producer.role_policy.Statement[3]) == jsonencode({
      Sid       = "EncryptQueueMessages"
      Effect    = "Allow"
      Action    = ["kms:GenerateDataKey", "kms:Decrypt"]
      Resource  = ["arn:aws:kms:eu-west-1:123456789012:key/1111aaaa-2222-3333-4444-555566667777"]
      Condition = { StringEquals = { "kms:ViaService" = ["sqs.eu-west-1.amazonaws.com"] } }
    })
    error_message = "The producer may encrypt messages with the key, through SQS only."
  }

  assert {
    condition = jsonencode(module.producer.role_policy.Statement[4]) == jsonencode({
      Sid       = "DecryptWebhookSecret"
      Effect    = "Allow"
      Action    = ["kms:Decrypt"]
      Resource  = ["arn:aws:kms:eu-west-1:123456789012:key/1111aaaa-2222-3333-4444-555566667777"]
      Condition = { StringEquals = { "kms:ViaService" = ["secretsmanager.eu-west-1.amazonaws.com"] } }
    })
    error_message = "The producer may decrypt the module's secret with the key, through Secrets Manager only."
  }

  assert {
    condition     = length(module.producer.role_policy.Statement) == 5
    error_message = "Exactly logs, queue, secret and two KMS statements for the producer."
  }

  assert {
    condition = jsonencode(module.consumer.role_policy.Statement[3]) == jsonencode({
      Sid       = "DecryptQueueMessages"
      Effect    = "Allow"
      Action    = ["kms:Decrypt"]
      Resource  = ["arn:aws:kms:eu-west-1:123456789012:key/1111aaaa-2222-3333-4444-555566667777"]
      Condition = { StringEquals = { "kms:ViaService" = ["sqs.eu-west-1.amazonaws.com"] } }
    })
    error_message = "The consumer may decrypt messages, through SQS."
  }

  # DynamoDB uses the table's customer managed key on behalf of the consumer: without this
  # statement every PutItem on the module's encrypted table is denied.
  assert {
    condition = jsonencode(module.consumer.role_policy.Statement[4]) == jsonencode({
      Sid       = "UseTableKey"
      Effect    = "Allow"
      Action    = ["kms:Decrypt", "kms:DescribeKey"]
      Resource  = ["arn:aws:kms:eu-west-1:123456789012:key/1111aaaa-2222-3333-4444-555566667777"]
      Condition = { StringEquals = { "kms:ViaService" = ["dynamodb.eu-west-1.amazonaws.com"] } }
    }) && length(module.consumer.role_policy.Statement) == 5
    error_message = "The consumer may use the table's key, through DynamoDB only: ${jsonencode(module.consumer.role_policy.Statement)}"
  }

  assert {
    condition     = aws_secretsmanager_secret.webhook[0].kms_key_id == "arn:aws:kms:eu-west-1:123456789012:key/1111aaaa-2222-3333-4444-555566667777"
    error_message = "The module's secret is encrypted with the key."
  }
}

run "existing_table_with_its_own_key" {
  command = plan

  variables {
    existing_table_name        = "team-events"
    existing_table_kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:key/table000-2222-3333-4444-555566667777"
  }

  assert {
    condition = jsonencode(module.consumer.role_policy.Statement[3]) == jsonencode({
      Sid       = "UseTableKey"
      Effect    = "Allow"
      Action    = ["kms:Decrypt", "kms:DescribeKey"]
      Resource  = ["arn:aws:kms:eu-west-1:123456789012:key/table000-2222-3333-4444-555566667777"]
      Condition = { StringEquals = { "kms:ViaService" = ["dynamodb.eu-west-1.amazonaws.com"] } }
    }) && length(module.consumer.role_policy.Statement) == 4
    error_message = "The consumer may use the existing table's key through DynamoDB, and nothing else of KMS: ${jsonencode(module.consumer.role_policy.Statement)}"
  }
}

run "existing_table_with_the_module_key_for_queues_only" {
  command = plan

  variables {
    existing_table_name = "team-events"
    kms_key_arn         = "arn:aws:kms:eu-west-1:123456789012:key/1111aaaa-2222-3333-4444-555566667777"
  }

  assert {
    condition     = jsonencode([for s in module.consumer.role_policy.Statement : s.Sid]) == jsonencode(["WriteOwnLogGroup", "ConsumeQueue", "WriteEvents", "DecryptQueueMessages"])
    error_message = "kms_key_arn encrypts only what the module creates: an existing table's key is existing_table_kms_key_arn."
  }
}

run "existing_secret_with_its_own_key" {
  command = plan

  variables {
    webhook_secret_arn         = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:team/stripe-XyZ123"
    webhook_secret_kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:key/secret00-2222-3333-4444-555566667777"
  }

  assert {
    condition     = length(aws_secretsmanager_secret.webhook) == 0 && module.producer.environment_variables["WEBHOOK_SECRET_ARN"] == "arn:aws:secretsmanager:eu-west-1:123456789012:secret:team/stripe-XyZ123"
    error_message = "The given secret is used and none is created."
  }

  assert {
    condition     = jsonencode(module.producer.role_policy.Statement[2].Resource) == jsonencode(["arn:aws:secretsmanager:eu-west-1:123456789012:secret:team/stripe-XyZ123"]) && jsonencode(module.producer.role_policy.Statement[3].Resource) == jsonencode(["arn:aws:kms:eu-west-1:123456789012:key/secret00-2222-3333-4444-555566667777"]) && jsonencode(module.producer.role_policy.Statement[3].Action) == jsonencode(["kms:Decrypt"])
    error_message = "The producer reads that secret and decrypts with its key."
  }
}

run "verification_none" {
  command = plan

  variables {
    webhook_verification = "none"
  }

  assert {
    condition     = length(aws_secretsmanager_secret.webhook) == 0 && output.webhook_secret_arn == null
    error_message = "No secret when verification is off."
  }

  assert {
    condition     = module.producer.environment_variables["WEBHOOK_VERIFICATION"] == "none" && !contains(keys(module.producer.environment_variables), "WEBHOOK_SECRET_ARN")
    error_message = "The producer is told not to verify and gets no secret."
  }

  assert {
    condition     = length(module.producer.role_policy.Statement) == 2 && !contains(flatten([for s in module.producer.role_policy.Statement : s.Action]), "secretsmanager:GetSecretValue")
    error_message = "No secret permission when verification is off."
  }
}

run "vpc_statements" {
  command = plan

  variables {
    vpc_subnet_ids         = ["subnet-0a", "subnet-0b"]
    vpc_security_group_ids = ["sg-01"]
  }

  assert {
    condition     = jsonencode([for s in module.consumer.role_policy.Statement : s.Sid]) == jsonencode(["WriteOwnLogGroup", "VpcDescribe", "VpcCreateNetworkInterface", "VpcManageNetworkInterface", "ConsumeQueue", "WriteEvents"])
    error_message = "VPC statements are added."
  }

  assert {
    condition     = jsonencode(module.producer.role_policy.Statement[1].Resource) == jsonencode(["*"]) && jsonencode(module.producer.role_policy.Statement[1].Action) == jsonencode(["ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets"])
    error_message = "Only the Describe calls (no resource-level permissions) get a * resource."
  }

  assert {
    condition = jsonencode(module.producer.role_policy.Statement[2].Resource) == jsonencode([
      "arn:aws:ec2:eu-west-1:123456789012:network-interface/*",
      "arn:aws:ec2:eu-west-1:123456789012:subnet/subnet-0a",
      "arn:aws:ec2:eu-west-1:123456789012:subnet/subnet-0b",
      "arn:aws:ec2:eu-west-1:123456789012:security-group/sg-01",
    ])
    error_message = "Network interfaces only in the given subnets and security groups."
  }
}

run "mapping_options_and_settings" {
  command = plan

  variables {
    batch_size                         = 50
    maximum_batching_window_in_seconds = 2
    event_source_maximum_concurrency   = 5
    event_source_filter_patterns       = ["{\"body\":{\"type\":[{\"prefix\":\"invoice.\"}]}}"]
    consumer_timeout                   = 60
    trace_link_mode                    = "link"
    consumer_max_concurrency           = 4
    max_body_bytes                     = 65536
    webhook_tolerance_seconds          = 600
    otel_strict                        = true
    producer_environment_variables     = { LOG_LEVEL = "debug" }
    create_alarms                      = false
    event_source_mapping_enabled       = false
  }

  assert {
    condition     = aws_lambda_event_source_mapping.consumer.enabled == false
    error_message = "event_source_mapping_enabled = false pauses the mapping."
  }

  assert {
    condition     = aws_lambda_event_source_mapping.consumer.batch_size == 50 && aws_lambda_event_source_mapping.consumer.scaling_config[0].maximum_concurrency == 5
    error_message = "Batch size and maximum concurrency are passed on."
  }

  assert {
    condition     = jsonencode([for f in aws_lambda_event_source_mapping.consumer.filter_criteria[0].filter : f.pattern]) == jsonencode(["{\"body\":{\"type\":[{\"prefix\":\"invoice.\"}]}}"])
    error_message = "Filter patterns are passed on."
  }

  assert {
    condition     = aws_lambda_event_source_mapping.consumer.function_response_types == toset(["ReportBatchItemFailures"])
    error_message = "ReportBatchItemFailures always."
  }

  assert {
    condition     = module.consumer.environment_variables["TRACE_LINK_MODE"] == "link" && module.consumer.environment_variables["MAX_CONCURRENCY"] == "4" && module.consumer.environment_variables["OTEL_STRICT"] == "true"
    error_message = "Consumer settings are passed on."
  }

  assert {
    condition     = module.producer.environment_variables["MAX_BODY_BYTES"] == "65536" && module.producer.environment_variables["WEBHOOK_TOLERANCE_SECONDS"] == "600" && module.producer.environment_variables["LOG_LEVEL"] == "debug"
    error_message = "Producer settings and extra variables are passed on."
  }

  assert {
    condition     = length(module.queue.alarm_arns) == 0 && module.consumer.errors_alarm_name == null
    error_message = "create_alarms = false creates no alarm."
  }
}

run "custom_consumer_policy_statements" {
  command = plan

  variables {
    consumer_policy_statements = [{
      sid        = "WriteInvoices"
      actions    = ["dynamodb:PutItem"]
      resources  = ["arn:aws:dynamodb:eu-west-1:123456789012:table/invoices"]
      conditions = [{ test = "StringEquals", variable = "aws:RequestedRegion", values = ["eu-west-1"] }]
    }]
  }

  assert {
    condition = jsonencode(module.consumer.role_policy.Statement[length(module.consumer.role_policy.Statement) - 1]) == jsonencode({
      Sid       = "WriteInvoices"
      Effect    = "Allow"
      Action    = ["dynamodb:PutItem"]
      Resource  = ["arn:aws:dynamodb:eu-west-1:123456789012:table/invoices"]
      Condition = { StringEquals = { "aws:RequestedRegion" = ["eu-west-1"] } }
    })
    error_message = "The custom consumer's statements are added to its role: ${jsonencode(module.consumer.role_policy.Statement)}"
  }

  assert {
    condition     = length([for s in module.producer.role_policy.Statement : s if s.Sid == "WriteInvoices"]) == 0
    error_message = "The consumer's extra statements never reach the producer."
  }
}
