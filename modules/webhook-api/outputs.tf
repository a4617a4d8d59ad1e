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

output "cloudwatch_role_arn" {
  description = "ARN of the account CloudWatch role, or null when not created."
  value       = one(aws_iam_role.cloudwatch[*].arn)
}

output "integration_uri" {
  description = "URI of the POST integration (the function's invoke ARN)."
  value       = aws_api_gateway_integration.post.uri
}

output "xray_tracing_enabled" {
  description = "Whether the stage traces with X-Ray."
  value       = aws_api_gateway_stage.this.xray_tracing_enabled
}
