# One Lambda function with its own IAM role, its own log group and (when tracing is on) the
# ADOT layer, the wrapper environment and the tracing policies.

locals {
  log_group_name = "/aws/lambda/${var.function_name}"
  log_group_arn  = "arn:${var.partition}:logs:${var.region}:${var.account_id}:log-group:${local.log_group_name}"
  in_vpc         = length(var.vpc_subnet_ids) > 0
  # IAM role names are global to the account: the region keeps the same function name in two
  # regions from colliding (EntityAlreadyExists).
  role_name = coalesce(var.role_name, "${var.function_name}-${var.region}")

  otel_environment = var.tracing_enabled ? {
    AWS_LAMBDA_EXEC_WRAPPER              = "/opt/otel-instrument"
    OTEL_SERVICE_NAME                    = coalesce(var.otel_service_name, var.function_name)
    OTEL_AWS_APPLICATION_SIGNALS_ENABLED = tostring(var.application_signals_enabled)
    OTEL_PROPAGATORS                     = var.otel_propagators
    OTEL_METRICS_EXPORTER                = "none"
  } : {}
  # /opt/otel-instrument loads the layer's lite SDK instead of the full one when this is true.
  fast_start_environment = var.tracing_enabled && var.adot_fast_start ? { OTEL_AWS_LAMBDA_FAST_START = "true" } : {}

  environment_variables = merge(var.environment_variables, local.otel_environment, local.fast_start_environment)
  layers                = var.tracing_enabled ? [var.adot_layer_arn] : []

  # Keyed by static names, not by ARN: the partition may only be known at apply time (a caller's
  # depends_on on this module defers its data sources), and for_each keys must be known at plan.
  managed_policy_arns = merge(
    var.tracing_enabled ? { xray = "arn:${var.partition}:iam::aws:policy/AWSXRayDaemonWriteAccess" } : {},
    var.tracing_enabled && var.application_signals_enabled ? { application_signals = "arn:${var.partition}:iam::aws:policy/CloudWatchLambdaApplicationSignalsExecutionRolePolicy" } : {},
  )

  logs_statements = [{
    sid        = "WriteOwnLogGroup"
    actions    = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources  = ["${local.log_group_arn}:*"]
    conditions = []
  }]

  # Lambda creates and deletes the function's network interfaces with the execution role.
  # The Describe calls support no resource-level permissions, so they are the one place a
  # "*" resource is unavoidable (AWS's own AWSLambdaVPCAccessExecutionRole does the same, but
  # also grants logs on every log group, which is why it is not attached).
  vpc_statements = local.in_vpc ? [
    {
      sid        = "VpcDescribe"
      actions    = ["ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets"]
      resources  = ["*"]
      conditions = []
    },
    {
      sid     = "VpcCreateNetworkInterface"
      actions = ["ec2:CreateNetworkInterface"]
      resources = concat(
        ["arn:${var.partition}:ec2:${var.region}:${var.account_id}:network-interface/*"],
        [for s in var.vpc_subnet_ids : "arn:${var.partition}:ec2:${var.region}:${var.account_id}:subnet/${s}"],
        [for g in var.vpc_security_group_ids : "arn:${var.partition}:ec2:${var.region}:${var.account_id}:security-group/${g}"],
      )
      conditions = []
    },
    {
      sid        = "VpcManageNetworkInterface"
      actions    = ["ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"]
      resources  = ["arn:${var.partition}:ec2:${var.region}:${var.account_id}:network-interface/*"]
      conditions = []
    },
  ] : []

  statements = concat(local.logs_statements, local.vpc_statements, var.policy_statements)

  role_policy = {
    Version = "2012-10-17"
    Statement = [for s in local.statements : merge(
      {
        Sid      = s.sid
        Effect   = "Allow"
        Action   = s.actions
        Resource = s.resources
      },
      { for k, v in {
        Condition = { for test in distinct([for c in s.conditions : c.test]) : test => {
          for c in s.conditions : c.variable => c.values if c.test == test
        } }
      } : k => v if length(s.conditions) > 0 },
    )]
  }

  assume_role_policy = {
    Version = "2012-10-17"
    Statement = [{
      Sid       = "LambdaAssumeRole"
      Effect    = "Allow"
      Principal = { Service = "lambda.amazonaws.com" }
      Action    = "sts:AssumeRole"
      Condition = {
        StringEquals = { "aws:SourceAccount" = var.account_id }
      }
    }]
  }
}

resource "aws_iam_role" "this" {
  name                 = local.role_name
  path                 = var.iam_role_path
  description          = "Execution role of the ${var.function_name} Lambda function"
  assume_role_policy   = jsonencode(local.assume_role_policy)
  permissions_boundary = var.iam_permissions_boundary_arn
  tags                 = var.tags

  lifecycle {
    precondition {
      condition     = length(local.role_name) <= 64
      error_message = "The role name ${local.role_name} is longer than IAM's 64 characters: set role_name."
    }
  }
}

resource "aws_iam_role_policy" "this" {
  name   = "${var.function_name}-least-privilege"
  role   = aws_iam_role.this.id
  policy = jsonencode(local.role_policy)
}

resource "aws_iam_role_policy_attachment" "managed" {
  for_each = local.managed_policy_arns

  role       = aws_iam_role.this.name
  policy_arn = each.value
}

resource "aws_cloudwatch_log_group" "this" {
  name              = local.log_group_name
  retention_in_days = var.log_retention_in_days
  kms_key_id        = var.log_kms_key_arn
  tags              = var.tags
}

resource "aws_lambda_function" "this" {
  function_name                  = var.function_name
  description                    = var.description
  role                           = aws_iam_role.this.arn
  filename                       = var.package_path
  source_code_hash               = fileexists(var.package_path) ? filebase64sha256(var.package_path) : null
  handler                        = var.handler
  runtime                        = var.runtime
  architectures                  = var.architectures
  memory_size                    = var.memory_size
  timeout                        = var.timeout
  reserved_concurrent_executions = var.reserved_concurrent_executions
  layers                         = local.layers
  tags                           = var.tags

  environment {
    variables = local.environment_variables
  }

  tracing_config {
    mode = var.tracing_enabled ? "Active" : "PassThrough"
  }

  # Lambda's advanced logging controls: JSON records, and AWS_LAMBDA_LOG_LEVEL set from the
  # application level, which the functions' logger honours.
  logging_config {
    log_format            = "JSON"
    application_log_level = var.log_level
    system_log_level      = "INFO"
  }

  dynamic "vpc_config" {
    for_each = local.in_vpc ? [1] : []
    content {
      subnet_ids         = var.vpc_subnet_ids
      security_group_ids = var.vpc_security_group_ids
    }
  }

  # The role's permissions and the log group must exist before the first invocation, or Lambda
  # creates an unmanaged log group without retention.
  depends_on = [
    aws_cloudwatch_log_group.this,
    aws_iam_role_policy.this,
    aws_iam_role_policy_attachment.managed,
  ]
}

resource "aws_cloudwatch_metric_alarm" "errors" {
  count = var.create_errors_alarm ? 1 : 0

  alarm_name          = "${var.function_name}-errors"
  alarm_description   = "The ${var.function_name} function reported errors."
  namespace           = "AWS/Lambda"
  metric_name         = "Errors"
  dimensions          = { FunctionName = aws_lambda_function.this.function_name }
  statistic           = "Sum"
  period              = 60
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.alarm_actions
  tags                = var.tags
}

# 0.2.0 keyed the attachments by policy ARN (commercial partition shown; elsewhere they are
# replaced, which detaches and attaches the same policy).
moved {
  from = aws_iam_role_policy_attachment.managed["arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess"]
  to   = aws_iam_role_policy_attachment.managed["xray"]
}

moved {
  from = aws_iam_role_policy_attachment.managed["arn:aws:iam::aws:policy/CloudWatchLambdaApplicationSignalsExecutionRolePolicy"]
  to   = aws_iam_role_policy_attachment.managed["application_signals"]
}
