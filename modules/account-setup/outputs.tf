output "transaction_search_policy_name" {
  description = "Name of the CloudWatch Logs resource policy for Transaction Search; null when not created."
  value       = one(aws_cloudwatch_log_resource_policy.transaction_search[*].policy_name)
}

output "transaction_search_policy" {
  description = "The Transaction Search resource policy, as an object (for reviews and tests)."
  value       = local.transaction_search_policy
}

output "api_gateway_cloudwatch_role_name" {
  description = "Name of the API Gateway CloudWatch role; null when not created."
  value       = one(aws_iam_role.api_gateway_cloudwatch[*].name)
}

output "api_gateway_cloudwatch_role_arn" {
  description = "ARN of the API Gateway CloudWatch role set on the account for this region; null when not created."
  value       = one(aws_iam_role.api_gateway_cloudwatch[*].arn)
}

output "cli_commands" {
  description = "The account-level switches Terraform cannot set with AWS provider 5.100, as AWS CLI commands for this region: transaction_search (X-Ray's trace segment destination to CloudWatch Logs; run after this module's logs policy exists) and application_signals (Application Signals discovery, which creates its service-linked role). Each is idempotent."
  value       = local.cli_commands
}
