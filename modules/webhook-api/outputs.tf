output "rest_api_id" {
  description = "Id of the REST API."
  value       = aws_api_gateway_rest_api.this.id
}

output "execution_arn" {
  description = "Execution ARN of the REST API."
  value       = aws_api_gateway_rest_api.this.execution_arn
}

output "stage_name" {
  description = "Name of the stage."
  value       = aws_api_gateway_stage.this.stage_name
}

output "stage_arn" {
  description = "ARN of the stage."
  value       = aws_api_gateway_stage.this.arn
}

output "invoke_url" {
  description = "Base URL of the stage."
  value       = aws_api_gateway_stage.this.invoke_url
}

output "webhook_url" {
  description = "URL to give the webhook sender (POST)."
  value       = "${aws_api_gateway_stage.this.invoke_url}/${var.path_part}"
}

output "access_log_group_name" {
  description = "Name of the access log group, or null."
  value       = one(aws_cloudwatch_log_group.access[*].name)
}

output "lambda_permission_source_arn" {
  description = "The source ARN API Gateway may invoke the function from."
  value       = aws_lambda_permission.api.source_arn
}

output "routes" {
  description = "The POST routes the stage serves: /<path_part>, and /webhooks/{source} with source_routes_enabled."
  value       = concat(["/${aws_api_gateway_resource.webhook.path_part}"], [for source in aws_api_gateway_resource.source : "/${aws_api_gateway_resource.sources[0].path_part}/${source.path_part}"])
}

output "source_integration_uri" {
  description = "URI of the POST /webhooks/{source} integration (the function's invoke ARN); null without source_routes_enabled."
  value       = one(aws_api_gateway_integration.source_post[*].uri)
}

output "deployment_trigger" {
  description = "The hash whose change redeploys the stage (for tests: a stage without sources keeps the hash it had)."
  value       = aws_api_gateway_deployment.this.triggers.redeployment
}

output "deployment_parts" {
  description = "What deployment_trigger hashes: the ids of the routes' resources, methods and integrations, and the function's invoke ARN."
  value       = local.deployment_parts
}

output "source_lambda_permission_source_arn" {
  description = "The source ARN API Gateway may invoke the function from for POST /webhooks/{source}; null without source_routes_enabled."
  value       = one(aws_lambda_permission.sources[*].source_arn)
}

output "source_webhook_url_prefix" {
  description = "URL of the sources' route without the source (append /<source>); null without source_routes_enabled."
  value       = var.source_routes_enabled ? "${aws_api_gateway_stage.this.invoke_url}/webhooks" : null
}

output "integration_uri" {
  description = "URI of the POST integration (the function's invoke ARN)."
  value       = aws_api_gateway_integration.post.uri
}

output "xray_tracing_enabled" {
  description = "Whether the stage traces with X-Ray."
  value       = aws_api_gateway_stage.this.xray_tracing_enabled
}

output "access_logging_enabled" {
  description = "Whether the stage writes access logs (which needs the account's API Gateway CloudWatch role)."
  value       = length(aws_api_gateway_stage.this.access_log_settings) > 0
}

output "execution_logging_level" {
  description = "Execution logging level of every method of the stage (anything but OFF needs the account's API Gateway CloudWatch role)."
  value       = aws_api_gateway_method_settings.all.settings[0].logging_level
}

output "sampling_rule_name" {
  description = "Name of the stage's X-Ray sampling rule; null when not created."
  value       = one(aws_xray_sampling_rule.this[*].rule_name)
}

output "sampling_rule_arn" {
  description = "ARN of the stage's X-Ray sampling rule; null when not created."
  value       = one(aws_xray_sampling_rule.this[*].arn)
}

output "sampling_rule" {
  description = "What the stage's X-Ray sampling rule matches and samples (for tests and reviews); null when not created."
  value = one([for rule in aws_xray_sampling_rule.this : {
    rule_name      = rule.rule_name
    priority       = rule.priority
    fixed_rate     = rule.fixed_rate
    reservoir_size = rule.reservoir_size
    service_name   = rule.service_name
    service_type   = rule.service_type
    host           = rule.host
    http_method    = rule.http_method
    url_path       = rule.url_path
    resource_arn   = rule.resource_arn
    version        = rule.version
  }])
}
