# Every validation of the root module, through expect_failures. Each run changes one input.

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

variables {
  name = "wh"
}

run "valid_defaults_plan" {
  command = plan
}

run "name_invalid" {
  command = plan
  variables {
    name = "1-not_valid"
  }
  expect_failures = [var.name]
}

run "name_too_long" {
  command = plan
  variables {
    name = "a-name-that-is-much-too-long-for-the-roles-x"
  }
  expect_failures = [var.name]
}

run "missing_producer_zip_says_make_build" {
  command = plan
  variables {
    producer_package_path = "dist/does-not-exist.zip"
  }
  expect_failures = [var.producer_package_path]
}

run "missing_consumer_zip_says_make_build" {
  command = plan
  variables {
    consumer_package_path = "dist/does-not-exist.zip"
  }
  expect_failures = [var.consumer_package_path]
}

run "runtime_unsupported" {
  command = plan
  variables {
    runtime = "nodejs18.x"
  }
  expect_failures = [var.runtime]
}

run "architectures_two" {
  command = plan
  variables {
    architectures = ["arm64", "x86_64"]
  }
  expect_failures = [var.architectures]
}

run "producer_memory_too_small" {
  command = plan
  variables {
    producer_memory_size = 64
  }
  expect_failures = [var.producer_memory_size]
}

run "consumer_memory_too_big" {
  command = plan
  variables {
    consumer_memory_size = 20000
  }
  expect_failures = [var.consumer_memory_size]
}

run "producer_timeout_over_api_gateway" {
  command = plan
  variables {
    producer_timeout = 30
  }
  expect_failures = [var.producer_timeout]
}

run "consumer_timeout_too_long" {
  command = plan
  variables {
    consumer_timeout = 901
  }
  expect_failures = [var.consumer_timeout]
}

run "producer_reserved_concurrency_negative" {
  command = plan
  variables {
    producer_reserved_concurrent_executions = -1
  }
  expect_failures = [var.producer_reserved_concurrent_executions]
}

run "consumer_reserved_concurrency_negative" {
  command = plan
  variables {
    consumer_reserved_concurrent_executions = -1
  }
  expect_failures = [var.consumer_reserved_concurrent_executions]
}

run "producer_env_traces_exporter_xray" {
  command = plan
  variables {
    producer_environment_variables = { OTEL_TRACES_EXPORTER = "xray" }
  }
  expect_failures = [var.producer_environment_variables]
}

run "consumer_env_traces_exporter_xray_any_case" {
  command = plan
  variables {
    consumer_environment_variables = { OTEL_TRACES_EXPORTER = " XRay " }
  }
  expect_failures = [var.consumer_environment_variables]
}

run "producer_env_overrides_module_key" {
  command = plan
  variables {
    producer_environment_variables = { QUEUE_URL = "https://elsewhere" }
  }
  expect_failures = [var.producer_environment_variables]
}

run "producer_env_overrides_adot_key" {
  command = plan
  variables {
    producer_environment_variables = { AWS_LAMBDA_EXEC_WRAPPER = "/opt/otel-handler" }
  }
  expect_failures = [var.producer_environment_variables]
}

run "consumer_env_overrides_module_key" {
  command = plan
  variables {
    consumer_environment_variables = { TABLE_NAME = "other" }
  }
  expect_failures = [var.consumer_environment_variables]
}

run "otel_propagators_xray_lambda" {
  command = plan
  variables {
    otel_propagators = "xray-lambda"
  }
  expect_failures = [var.otel_propagators]
}

run "otel_propagators_without_xray" {
  command = plan
  variables {
    otel_propagators = "tracecontext,baggage"
  }
  expect_failures = [var.otel_propagators]
}

run "otel_propagators_w3c_with_xray" {
  command = plan
  variables {
    otel_propagators = "baggage, tracecontext, xray"
  }
}

run "producer_env_sdk_disabled" {
  command = plan
  variables {
    producer_environment_variables = { OTEL_SDK_DISABLED = "true" }
  }
  expect_failures = [var.producer_environment_variables]
}

run "consumer_env_sdk_disabled" {
  command = plan
  variables {
    consumer_environment_variables = { OTEL_SDK_DISABLED = "false" }
  }
  expect_failures = [var.consumer_environment_variables]
}

run "consumer_env_fast_start_key" {
  command = plan
  variables {
    consumer_environment_variables = { OTEL_AWS_LAMBDA_FAST_START = "true" }
  }
  expect_failures = [var.consumer_environment_variables]
}

run "fast_start_with_link_mode" {
  command = plan
  variables {
    adot_fast_start    = true
    adot_layer_arn     = "arn:aws:lambda:eu-west-1:111122223333:layer:AWSOpenTelemetryDistroJs:20"
    adot_layer_release = "0.13.0"
    trace_link_mode    = "link"
  }
  expect_failures = [var.adot_fast_start]
}

run "fast_start_with_parent_mode" {
  command = plan
  variables {
    adot_fast_start    = true
    adot_layer_arn     = "arn:aws:lambda:eu-west-1:111122223333:layer:AWSOpenTelemetryDistroJs:20"
    adot_layer_release = "0.13.0"
    trace_link_mode    = "parent"
  }
}

# The default layer is release 0.12.0: lite mode arrived in distro 0.13, so fast start would do
# nothing there.
run "fast_start_with_the_default_layer" {
  command = plan
  variables {
    adot_fast_start = true
  }
  expect_failures = [var.adot_fast_start]
}

run "fast_start_with_an_undeclared_layer" {
  command = plan
  variables {
    adot_fast_start = true
    adot_layer_arn  = "arn:aws:lambda:eu-west-1:111122223333:layer:AWSOpenTelemetryDistroJs:20"
  }
  expect_failures = [var.adot_fast_start]
}

run "fast_start_with_a_declared_0_12_layer" {
  command = plan
  variables {
    adot_fast_start    = true
    adot_layer_arn     = "arn:aws:lambda:eu-west-1:111122223333:layer:AWSOpenTelemetryDistroJs:16"
    adot_layer_release = "0.12.9"
  }
  expect_failures = [var.adot_fast_start]
}

run "fast_start_with_a_declared_1_0_layer" {
  command = plan
  variables {
    adot_fast_start    = true
    adot_layer_arn     = "arn:aws:lambda:eu-west-1:111122223333:layer:AWSOpenTelemetryDistroJs:30"
    adot_layer_release = "1.0.0"
  }
}

run "fast_start_without_tracing_needs_no_release" {
  command = plan
  variables {
    adot_fast_start = true
    tracing_enabled = false
  }
}

run "adot_layer_release_not_a_release" {
  command = plan
  variables {
    adot_layer_arn     = "arn:aws:lambda:eu-west-1:111122223333:layer:AWSOpenTelemetryDistroJs:20"
    adot_layer_release = "v0.13"
  }
  expect_failures = [var.adot_layer_release]
}

run "adot_layer_release_without_a_layer" {
  command = plan
  variables {
    adot_layer_release = "0.13.0"
  }
  expect_failures = [var.adot_layer_release]
}

run "log_level_unknown" {
  command = plan
  variables {
    log_level = "VERBOSE"
  }
  expect_failures = [var.log_level]
}

run "log_level_lower_case" {
  command = plan
  variables {
    log_level = "info"
  }
  expect_failures = [var.log_level]
}

run "adot_layer_arn_not_a_layer" {
  command = plan
  variables {
    adot_layer_arn = "arn:aws:lambda:eu-west-1:123456789012:function:nope"
  }
  expect_failures = [var.adot_layer_arn]
}

run "webhook_verification_unknown" {
  command = plan
  variables {
    webhook_verification = "github"
  }
  expect_failures = [var.webhook_verification]
}

run "webhook_secret_arn_not_a_secret" {
  command = plan
  variables {
    webhook_secret_arn = "arn:aws:ssm:eu-west-1:123456789012:parameter/x"
  }
  expect_failures = [var.webhook_secret_arn]
}

run "webhook_secret_arn_with_verification_none" {
  command = plan
  variables {
    webhook_verification = "none"
    webhook_secret_arn   = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:x-AbCdEf"
  }
  expect_failures = [var.webhook_secret_arn]
}

run "webhook_secret_kms_key_not_a_key" {
  command = plan
  variables {
    webhook_secret_arn         = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:x-AbCdEf"
    webhook_secret_kms_key_arn = "alias/mine"
  }
  expect_failures = [var.webhook_secret_kms_key_arn]
}

run "webhook_secret_kms_key_without_existing_secret" {
  command = plan
  variables {
    webhook_secret_kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:key/abc"
  }
  expect_failures = [var.webhook_secret_kms_key_arn]
}

run "webhook_secret_name_with_verification_none" {
  command = plan
  variables {
    webhook_verification = "none"
    webhook_secret_name  = "wh/webhook-signing-secret"
  }
  expect_failures = [var.webhook_secret_name]
}

run "webhook_secret_name_with_an_existing_secret" {
  command = plan
  variables {
    webhook_secret_arn  = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:team/stripe-XyZ123"
    webhook_secret_name = "wh/webhook-signing-secret"
  }
  expect_failures = [var.webhook_secret_name]
}

run "iam_role_names_invalid" {
  command = plan
  variables {
    iam_role_names = { producer = "no spaces in role names" }
  }
  expect_failures = [var.iam_role_names]
}

run "secret_recovery_window" {
  command = plan
  variables {
    webhook_secret_recovery_window_in_days = 3
  }
  expect_failures = [var.webhook_secret_recovery_window_in_days]
}

run "tolerance_zero" {
  command = plan
  variables {
    webhook_tolerance_seconds = 0
  }
  expect_failures = [var.webhook_tolerance_seconds]
}

run "max_body_bytes_zero" {
  command = plan
  variables {
    max_body_bytes = 0
  }
  expect_failures = [var.max_body_bytes]
}

run "max_body_bytes_over_queue_limit" {
  command = plan
  variables {
    queue_max_message_size = 262144
    max_body_bytes         = 262144
  }
  expect_failures = [var.max_body_bytes]
}

# 0.2.0's default body limit assumed a 1 MiB queue; the queue deployed is 256 KiB.
run "max_body_bytes_old_default_on_the_default_queue" {
  command = plan
  variables {
    max_body_bytes = 262144
  }
  expect_failures = [var.max_body_bytes]
}

run "queue_max_message_size_fractional" {
  command = plan
  variables {
    queue_max_message_size = 262144.5
  }
  expect_failures = [var.queue_max_message_size]
}

run "max_body_bytes_fits_smaller_queue" {
  command = plan
  variables {
    queue_max_message_size = 262144
    max_body_bytes         = 245760
  }
  assert {
    condition     = module.producer.environment_variables["MAX_BODY_BYTES"] == "245760"
    error_message = "A body limit 16 KiB under the queue's limit is accepted."
  }
}

run "max_body_bytes_over_sqs_maximum" {
  command = plan
  variables {
    max_body_bytes = 1048576
  }
  expect_failures = [var.max_body_bytes]
}

run "visibility_timeout_under_6x_consumer_timeout" {
  command = plan
  variables {
    consumer_timeout                 = 60
    queue_visibility_timeout_seconds = 300
  }
  expect_failures = [var.queue_visibility_timeout_seconds]
}

run "visibility_timeout_default_is_6x" {
  command = plan
  variables {
    consumer_timeout = 45
  }
  assert {
    condition     = module.queue.visibility_timeout_seconds == 270
    error_message = "The visibility timeout defaults to 6x the consumer timeout."
  }
}

run "queue_retention_too_long" {
  command = plan
  variables {
    queue_message_retention_seconds = 1209601
  }
  expect_failures = [var.queue_message_retention_seconds]
}

run "dlq_retention_too_short" {
  command = plan
  variables {
    dlq_message_retention_seconds = 59
  }
  expect_failures = [var.dlq_message_retention_seconds]
}

run "queue_max_message_size_too_big" {
  command = plan
  variables {
    queue_max_message_size = 2097152
  }
  expect_failures = [var.queue_max_message_size]
}

run "max_receive_count_zero" {
  command = plan
  variables {
    max_receive_count = 0
  }
  expect_failures = [var.max_receive_count]
}

run "batch_size_zero" {
  command = plan
  variables {
    batch_size = 0
  }
  expect_failures = [var.batch_size]
}

run "batch_size_over_10_without_window" {
  command = plan
  variables {
    batch_size                         = 20
    maximum_batching_window_in_seconds = 0
  }
  expect_failures = [var.batch_size]
}

run "batching_window_too_long" {
  command = plan
  variables {
    maximum_batching_window_in_seconds = 301
  }
  expect_failures = [var.maximum_batching_window_in_seconds]
}

run "event_source_maximum_concurrency_one" {
  command = plan
  variables {
    event_source_maximum_concurrency = 1
  }
  expect_failures = [var.event_source_maximum_concurrency]
}

run "filter_pattern_not_json" {
  command = plan
  variables {
    event_source_filter_patterns = ["body.type = invoice"]
  }
  expect_failures = [var.event_source_filter_patterns]
}

run "filter_patterns_too_many" {
  command = plan
  variables {
    event_source_filter_patterns = [for i in range(11) : "{\"body\":{\"n\":[${i}]}}"]
  }
  expect_failures = [var.event_source_filter_patterns]
}

run "trace_link_mode_unknown" {
  command = plan
  variables {
    trace_link_mode = "child"
  }
  expect_failures = [var.trace_link_mode]
}

run "consumer_max_concurrency_zero" {
  command = plan
  variables {
    consumer_max_concurrency = 0
  }
  expect_failures = [var.consumer_max_concurrency]
}

run "consumer_max_concurrency_above_sockets" {
  command = plan
  variables {
    consumer_max_concurrency      = 200
    consumer_dynamodb_max_sockets = 100
  }
  expect_failures = [var.consumer_max_concurrency]
}

run "consumer_dynamodb_max_sockets_fractional" {
  command = plan
  variables {
    consumer_dynamodb_max_sockets = 12.5
  }
  expect_failures = [var.consumer_dynamodb_max_sockets]
}

run "existing_table_name_invalid" {
  command = plan
  variables {
    existing_table_name = "no spaces allowed"
  }
  expect_failures = [var.existing_table_name]
}

run "existing_table_kms_key_not_a_key" {
  command = plan
  variables {
    existing_table_name        = "team-events"
    existing_table_kms_key_arn = "alias/team-events"
  }
  expect_failures = [var.existing_table_kms_key_arn]
}

run "existing_table_kms_key_without_existing_table" {
  command = plan
  variables {
    existing_table_kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:key/abc"
  }
  expect_failures = [var.existing_table_kms_key_arn]
}

run "consumer_policy_statements_reuse_table_key_sid" {
  command = plan
  variables {
    consumer_policy_statements = [{ sid = "UseTableKey", actions = ["kms:Decrypt"], resources = ["arn:aws:kms:eu-west-1:123456789012:key/abc"] }]
  }
  expect_failures = [var.consumer_policy_statements]
}

run "ttl_on_the_key" {
  command = plan
  variables {
    table_ttl_attribute_name = "eventId"
  }
  expect_failures = [var.table_ttl_attribute_name]
}

run "kms_key_alias_refused" {
  command = plan
  variables {
    kms_key_arn = "alias/aws/sqs"
  }
  expect_failures = [var.kms_key_arn]
}

run "logs_kms_key_alias_refused" {
  command = plan
  variables {
    cloudwatch_logs_kms_key_arn = "alias/logs"
  }
  expect_failures = [var.cloudwatch_logs_kms_key_arn]
}

run "log_retention_not_allowed" {
  command = plan
  variables {
    cloudwatch_log_retention_in_days = 10
  }
  expect_failures = [var.cloudwatch_log_retention_in_days]
}

run "vpc_subnets_without_security_groups" {
  command = plan
  variables {
    vpc_subnet_ids = ["subnet-0a"]
  }
  expect_failures = [var.vpc_security_group_ids]
}

run "iam_role_path_without_slashes" {
  command = plan
  variables {
    iam_role_path = "service"
  }
  expect_failures = [var.iam_role_path]
}

run "permissions_boundary_not_a_policy" {
  command = plan
  variables {
    iam_permissions_boundary_arn = "arn:aws:iam::123456789012:role/boundary"
  }
  expect_failures = [var.iam_permissions_boundary_arn]
}

run "api_stage_name_invalid" {
  command = plan
  variables {
    api_stage_name = "v1/live"
  }
  expect_failures = [var.api_stage_name]
}

run "sampling_service_name_too_long" {
  command = plan
  variables {
    name           = "a-forty-character-pipeline-name-00000001"
    api_stage_name = "a-twenty-four-char-stage"
  }
  expect_failures = [var.api_stage_name]
}

run "sampling_service_name_too_long_without_the_rule" {
  command = plan
  variables {
    name                       = "a-forty-character-pipeline-name-00000001"
    api_stage_name             = "a-twenty-four-char-stage"
    xray_sampling_rule_enabled = false
  }
}

run "sampling_fixed_rate_above_one" {
  command = plan
  variables {
    xray_sampling_fixed_rate = 1.5
  }
  expect_failures = [var.xray_sampling_fixed_rate]
}

run "sampling_fixed_rate_negative" {
  command = plan
  variables {
    xray_sampling_fixed_rate = -0.1
  }
  expect_failures = [var.xray_sampling_fixed_rate]
}

run "sampling_reservoir_fractional" {
  command = plan
  variables {
    xray_sampling_reservoir_size = 0.5
  }
  expect_failures = [var.xray_sampling_reservoir_size]
}

run "sampling_priority_zero" {
  command = plan
  variables {
    xray_sampling_rule_priority = 0
  }
  expect_failures = [var.xray_sampling_rule_priority]
}

run "api_endpoint_type_private" {
  command = plan
  variables {
    api_endpoint_type = "PRIVATE"
  }
  expect_failures = [var.api_endpoint_type]
}

run "api_rate_limit_zero" {
  command = plan
  variables {
    api_throttling_rate_limit = 0
  }
  expect_failures = [var.api_throttling_rate_limit]
}

run "api_burst_limit_fraction" {
  command = plan
  variables {
    api_throttling_burst_limit = 1.5
  }
  expect_failures = [var.api_throttling_burst_limit]
}

run "api_logging_level_debug" {
  command = plan
  variables {
    api_execution_logging_level = "DEBUG"
  }
  expect_failures = [var.api_execution_logging_level]
}

run "oldest_message_threshold_zero" {
  command = plan
  variables {
    oldest_message_age_alarm_threshold_seconds = 0
  }
  expect_failures = [var.oldest_message_age_alarm_threshold_seconds]
}

run "consumer_policy_statements_wildcard_action" {
  command = plan
  variables {
    consumer_policy_statements = [{ sid = "All", actions = ["dynamodb:*"], resources = ["arn:aws:dynamodb:eu-west-1:123456789012:table/invoices"] }]
  }
  expect_failures = [var.consumer_policy_statements]
}

run "consumer_policy_statements_wildcard_resource" {
  command = plan
  variables {
    consumer_policy_statements = [{ sid = "Any", actions = ["dynamodb:PutItem"], resources = ["*"] }]
  }
  expect_failures = [var.consumer_policy_statements]
}

run "consumer_policy_statements_reused_sid" {
  command = plan
  variables {
    consumer_policy_statements = [{ sid = "WriteEvents", actions = ["dynamodb:PutItem"], resources = ["arn:aws:dynamodb:eu-west-1:123456789012:table/invoices"] }]
  }
  expect_failures = [var.consumer_policy_statements]
}

run "consumer_policy_statements_bad_sid" {
  command = plan
  variables {
    consumer_policy_statements = [{ sid = "write-invoices", actions = ["dynamodb:PutItem"], resources = ["arn:aws:dynamodb:eu-west-1:123456789012:table/invoices"] }]
  }
  expect_failures = [var.consumer_policy_statements]
}

run "fan_out_consumer_name_invalid" {
  command = plan
  variables {
    fan_out = { consumers = { Billing = {} } }
  }
  expect_failures = [var.fan_out]
}

run "fan_out_consumer_name_reserved" {
  command = plan
  variables {
    fan_out = { consumers = { consumer = {} } }
  }
  expect_failures = [var.fan_out]
}

run "fan_out_own_consumer_name_reserved" {
  command = plan
  variables {
    fan_out = { own_consumer = { name = "producer" } }
  }
  expect_failures = [var.fan_out]
}

run "fan_out_own_consumer_name_taken" {
  command = plan
  variables {
    fan_out = { own_consumer = { name = "billing" }, consumers = { billing = {} } }
  }
  expect_failures = [var.fan_out]
}

run "fan_out_event_type_wildcard_alone" {
  command = plan
  variables {
    fan_out = { consumers = { notifications = { event_types = ["*"] } } }
  }
  expect_failures = [var.fan_out]
}

run "fan_out_event_type_wildcard_inside" {
  command = plan
  variables {
    fan_out = { own_consumer = { event_types = ["in*voice.paid"] } }
  }
  expect_failures = [var.fan_out]
}

# SNS's 256 KiB whatever the queues' size. A queue above 256 KiB needs AWS provider 6.x (5.100
# refuses it when a queue is planned), so the plan targets a consumer's table alone, which still
# reads (and so validates) fan_out.
run "fan_out_source_not_served" {
  command = plan
  variables {
    webhook_sources = { github = { scheme = "github" } }
    fan_out         = { consumers = { notifications = { sources = ["shopify"] } } }
  }
  expect_failures = [var.fan_out]
}

run "fan_out_source_stripe_without_the_default_source" {
  command = plan
  variables {
    webhook_default_source_enabled = false
    webhook_sources                = { github = { scheme = "github" } }
    fan_out                        = { own_consumer = { sources = ["stripe"] } }
  }
  expect_failures = [var.fan_out]
}

run "fan_out_source_twice" {
  command = plan
  variables {
    webhook_sources = { github = { scheme = "github" } }
    fan_out         = { consumers = { notifications = { sources = ["github", "github"] } } }
  }
  expect_failures = [var.fan_out]
}

# SNS allows a filter policy at most 150 combinations of values across its keys.
run "fan_out_filter_over_sns_combinations" {
  command = plan
  variables {
    webhook_sources = { github = { scheme = "github" } }
    fan_out         = { consumers = { notifications = { sources = ["stripe", "github"], event_types = [for i in range(76) : "type.${i}"] } } }
  }
  expect_failures = [var.fan_out]
}

run "fan_out_body_over_sns_limit" {
  command = plan
  plan_options {
    target = [module.fan_out_table]
  }
  variables {
    queue_max_message_size = 1048576
    max_body_bytes         = 500000
    fan_out                = { consumers = { notifications = {} } }
  }
  expect_failures = [var.fan_out]
}

run "fan_out_consumer_timeout_invalid" {
  command = plan
  variables {
    fan_out = { consumers = { notifications = { timeout = 0 } } }
  }
  expect_failures = [var.fan_out]
}

run "fan_out_consumer_large_batch_without_window" {
  command = plan
  variables {
    fan_out = { consumers = { notifications = { batch_size = 100, maximum_batching_window_in_seconds = 0 } } }
  }
  expect_failures = [var.fan_out]
}

run "fan_out_visibility_timeout_below_a_consumers_timeout" {
  command = plan
  variables {
    queue_visibility_timeout_seconds = 180
    fan_out                          = { consumers = { notifications = { timeout = 60 } } }
  }
  expect_failures = [var.fan_out]
}

run "fan_out_policy_statements_wildcard_action" {
  command = plan
  variables {
    fan_out = { consumers = { analytics = { package_path = "dist/consumer.zip", policy_statements = [{ sid = "Sink", actions = ["firehose:*"], resources = ["arn:aws:firehose:eu-west-1:123456789012:deliverystream/sink"] }] } } }
  }
  expect_failures = [var.fan_out]
}

run "fan_out_policy_statements_reused_sid" {
  command = plan
  variables {
    fan_out = { consumers = { analytics = { package_path = "dist/consumer.zip", policy_statements = [{ sid = "ConsumeQueue", actions = ["firehose:PutRecord"], resources = ["arn:aws:firehose:eu-west-1:123456789012:deliverystream/sink"] }] } } }
  }
  expect_failures = [var.fan_out]
}

run "fan_out_package_missing" {
  command = plan
  variables {
    fan_out = { consumers = { analytics = { package_path = "build/no-such-consumer.zip" } } }
  }
  expect_failures = [var.fan_out]
}
