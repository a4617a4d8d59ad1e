output "function_name" {
  description = "Name of the Lambda function."
  value       = aws_lambda_function.this.function_name
}

output "function_arn" {
  description = "ARN of the Lambda function."
  value       = aws_lambda_function.this.arn
}

output "invoke_arn" {
  description = "Invoke ARN of the Lambda function, for an API Gateway integration."
  value       = aws_lambda_function.this.invoke_arn
}

output "role_name" {
  description = "Name of the function's IAM role."
  value       = aws_iam_role.this.name
}

output "role_arn" {
  description = "ARN of the function's IAM role."
  value       = aws_iam_role.this.arn
}

output "log_group_name" {
  description = "Name of the function's log group."
  value       = aws_cloudwatch_log_group.this.name
}

output "log_group_arn" {
  description = "ARN of the function's log group (without the :* suffix)."
  value       = local.log_group_arn
}

output "environment_variables" {
  description = "The function's environment, including the ADOT variables when tracing is on."
  value       = local.environment_variables
}

output "layers" {
  description = "Layer ARNs attached to the function."
  value       = local.layers
}

output "role_policy" {
  description = "The inline policy of the function's role, as an object (the role policy is its JSON encoding)."
  value       = local.role_policy
}

output "assume_role_policy" {
  description = "The trust policy of the function's role, as an object."
  value       = local.assume_role_policy
}

output "managed_policy_arns" {
  description = "AWS managed policies attached to the role."
  value       = toset(values(local.managed_policy_arns))
}

output "errors_alarm_arn" {
  description = "ARN of the errors alarm, or null."
  value       = one(aws_cloudwatch_metric_alarm.errors[*].arn)
}

output "tracing_mode" {
  description = "X-Ray tracing mode of the function (Active or PassThrough)."
  value       = aws_lambda_function.this.tracing_config[0].mode
}

output "errors_alarm_name" {
  description = "Name of the errors alarm, or null."
  value       = one(aws_cloudwatch_metric_alarm.errors[*].alarm_name)
}

output "logging_config" {
  description = "The function's logging configuration (log_format, application_log_level, system_log_level)."
  value = {
    log_format            = aws_lambda_function.this.logging_config[0].log_format
    application_log_level = aws_lambda_function.this.logging_config[0].application_log_level
    system_log_level      = aws_lambda_function.this.logging_config[0].system_log_level
  }
}
