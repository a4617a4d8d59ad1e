# A REST API (v1: only REST stages trace with X-Ray) with POST /<path_part> proxied to a Lambda
# function (and, with source_routes_enabled, POST /webhooks/{source} to the same function, which
# serves its configured sources and answers 404 for any other), one stage with tracing, its own
# X-Ray sampling rule, throttling and optional access logs. It sets nothing at the
# account level: access and execution logs need the account's API Gateway CloudWatch role for
# the region, which modules/account-setup (or whoever owns the account) sets.

locals {
  # X-Ray rule names have at most 32 characters; a longer one keeps the start of the API's name
  # and 8 hex of a hash of it, so two long names never share a rule.
  sampling_rule_name = length("${var.name}-webhook") <= 32 ? "${var.name}-webhook" : "${substr(var.name, 0, 23)}-${substr(sha1(var.name), 0, 8)}"
  # How API Gateway names a stage in its segments, which the rule's service name matches.
  sampling_service_name = "${var.name}/${var.stage_name}"
  # The rule matches every route the stage serves, with or without the stage (or a base path) in
  # front: /webhook alone as before, and /webhooks/<source> when the sources' route exists.
  sampling_url_path = var.source_routes_enabled ? "*/${var.path_part}*" : "*/${var.path_part}"
  # What a redeployment follows: the /webhook route's parts as before (the same hash for a stage
  # without sources), then the sources' route.
  deployment_parts = concat(
    [aws_api_gateway_resource.webhook.id, aws_api_gateway_method.post.id, aws_api_gateway_integration.post.id, var.function_invoke_arn],
    var.source_routes_enabled ? [aws_api_gateway_resource.source[0].id, aws_api_gateway_method.source_post[0].id, aws_api_gateway_integration.source_post[0].id] : [],
  )

  default_access_log_format = jsonencode({
    requestId          = "$context.requestId"
    extendedRequestId  = "$context.extendedRequestId"
    xrayTraceId        = "$context.xrayTraceId"
    ip                 = "$context.identity.sourceIp"
    userAgent          = "$context.identity.userAgent"
    requestTime        = "$context.requestTime"
    httpMethod         = "$context.httpMethod"
    resourcePath       = "$context.resourcePath"
    status             = "$context.status"
    protocol           = "$context.protocol"
    responseLength     = "$context.responseLength"
    responseLatency    = "$context.responseLatency"
    integrationStatus  = "$context.integration.status"
    integrationLatency = "$context.integration.latency"
    integrationError   = "$context.integration.error"
    errorMessage       = "$context.error.message"
  })
}

resource "aws_api_gateway_rest_api" "this" {
  name        = var.name
  description = "Webhook endpoint of ${var.name}"
  tags        = var.tags

  endpoint_configuration {
    types = [var.endpoint_type]
  }
}

resource "aws_api_gateway_resource" "webhook" {
  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_rest_api.this.root_resource_id
  path_part   = var.path_part
}

# Webhook senders cannot sign AWS requests: the function verifies the sender's signature.
resource "aws_api_gateway_method" "post" {
  rest_api_id   = aws_api_gateway_rest_api.this.id
  resource_id   = aws_api_gateway_resource.webhook.id
  http_method   = "POST"
  authorization = "NONE"
}

resource "aws_api_gateway_integration" "post" {
  rest_api_id             = aws_api_gateway_rest_api.this.id
  resource_id             = aws_api_gateway_resource.webhook.id
  http_method             = aws_api_gateway_method.post.http_method
  type                    = "AWS_PROXY"
  integration_http_method = "POST"
  uri                     = var.function_invoke_arn
}

resource "aws_lambda_permission" "api" {
  statement_id  = "AllowApiGatewayInvoke"
  action        = "lambda:InvokeFunction"
  function_name = var.function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_api_gateway_rest_api.this.execution_arn}/*/${aws_api_gateway_method.post.http_method}${aws_api_gateway_resource.webhook.path}"
}

# POST /webhooks/{source}: one route for every source, so adding one changes no API resource, and
# a request for a source no one configured reaches the producer, which answers 404 with a reason
# (API Gateway itself would answer 403 "Missing Authentication Token" for an unknown path).
resource "aws_api_gateway_resource" "sources" {
  count = var.source_routes_enabled ? 1 : 0

  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_rest_api.this.root_resource_id
  path_part   = "webhooks"
}

resource "aws_api_gateway_resource" "source" {
  count = var.source_routes_enabled ? 1 : 0

  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_resource.sources[0].id
  path_part   = "{source}"
}

resource "aws_api_gateway_method" "source_post" {
  count = var.source_routes_enabled ? 1 : 0

  rest_api_id        = aws_api_gateway_rest_api.this.id
  resource_id        = aws_api_gateway_resource.source[0].id
  http_method        = "POST"
  authorization      = "NONE"
  request_parameters = { "method.request.path.source" = true }
}

resource "aws_api_gateway_integration" "source_post" {
  count = var.source_routes_enabled ? 1 : 0

  rest_api_id             = aws_api_gateway_rest_api.this.id
  resource_id             = aws_api_gateway_resource.source[0].id
  http_method             = aws_api_gateway_method.source_post[0].http_method
  type                    = "AWS_PROXY"
  integration_http_method = "POST"
  uri                     = var.function_invoke_arn
}

# Its own statement, so /webhook's permission stays exactly as it was.
resource "aws_lambda_permission" "sources" {
  count = var.source_routes_enabled ? 1 : 0

  statement_id  = "AllowApiGatewayInvokeSources"
  action        = "lambda:InvokeFunction"
  function_name = var.function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_api_gateway_rest_api.this.execution_arn}/*/${aws_api_gateway_method.source_post[0].http_method}/${aws_api_gateway_resource.sources[0].path_part}/*"
}

resource "aws_api_gateway_deployment" "this" {
  rest_api_id = aws_api_gateway_rest_api.this.id

  triggers = {
    redeployment = sha1(jsonencode(local.deployment_parts))
  }

  lifecycle {
    create_before_destroy = true
  }

  depends_on = [aws_api_gateway_integration.post, aws_api_gateway_integration.source_post]
}

resource "aws_cloudwatch_log_group" "access" {
  count = var.access_logging_enabled ? 1 : 0

  name              = "/aws/apigateway/${var.name}/access"
  retention_in_days = var.log_retention_in_days
  kms_key_id        = var.log_kms_key_arn
  tags              = var.tags
}

resource "aws_api_gateway_stage" "this" {
  rest_api_id          = aws_api_gateway_rest_api.this.id
  deployment_id        = aws_api_gateway_deployment.this.id
  stage_name           = var.stage_name
  xray_tracing_enabled = var.xray_tracing_enabled
  tags                 = var.tags

  dynamic "access_log_settings" {
    for_each = var.access_logging_enabled ? [1] : []
    content {
      destination_arn = aws_cloudwatch_log_group.access[0].arn
      format          = coalesce(var.access_log_format, local.default_access_log_format)
    }
  }
}

resource "aws_api_gateway_method_settings" "all" {
  rest_api_id = aws_api_gateway_rest_api.this.id
  stage_name  = aws_api_gateway_stage.this.stage_name
  method_path = "*/*"

  settings {
    throttling_rate_limit  = var.throttling_rate_limit
    throttling_burst_limit = var.throttling_burst_limit
    metrics_enabled        = var.metrics_enabled
    logging_level          = var.execution_logging_level
    data_trace_enabled     = false
  }
}

# X-Ray's default rule traces 1 request a second and 5% of the rest, and API Gateway applies the
# account's rules before it invokes the producer, which follows the decision (as does every span
# of the webhook's trace across the queue): without a rule of its own, most webhooks of a burst
# would have no trace. This one matches only POST /<path_part> (and /webhooks/<source>) on this stage.
resource "aws_xray_sampling_rule" "this" {
  count = var.xray_tracing_enabled && var.sampling_rule_enabled ? 1 : 0

  rule_name      = local.sampling_rule_name
  priority       = var.sampling_rule_priority
  fixed_rate     = var.sampling_fixed_rate
  reservoir_size = var.sampling_reservoir_size
  service_name   = local.sampling_service_name
  service_type   = "AWS::ApiGateway::Stage"
  host           = "*"
  http_method    = aws_api_gateway_method.post.http_method
  url_path       = local.sampling_url_path
  resource_arn   = aws_api_gateway_stage.this.arn
  version        = 1
  tags           = var.tags

  lifecycle {
    precondition {
      condition     = length(local.sampling_service_name) <= 64
      error_message = "The stage's X-Ray service name ${local.sampling_service_name} is longer than the 64 characters a sampling rule matches: shorten the name or the stage, or turn the sampling rule off."
    }
  }
}
