# modules/account-setup: the account-level settings the pipeline relies on but does not own.

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

run "defaults_transaction_search_policy_only" {
  command = plan

  module {
    source = "./modules/account-setup"
  }

  assert {
    condition     = length(aws_cloudwatch_log_resource_policy.transaction_search) == 1 && output.transaction_search_policy_name == "TransactionSearchXRayAccess"
    error_message = "The Transaction Search logs policy is created by default."
  }

  assert {
    condition = jsondecode(aws_cloudwatch_log_resource_policy.transaction_search[0].policy_document) == {
      Version = "2012-10-17"
      Statement = [{
        Sid       = "TransactionSearchXRayAccess"
        Effect    = "Allow"
        Principal = { Service = "xray.amazonaws.com" }
        Action    = "logs:PutLogEvents"
        Resource = [
          "arn:aws:logs:eu-west-1:123456789012:log-group:aws/spans:*",
          "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/application-signals/data:*",
        ]
        Condition = {
          ArnLike      = { "aws:SourceArn" = "arn:aws:xray:eu-west-1:123456789012:*" }
          StringEquals = { "aws:SourceAccount" = "123456789012" }
        }
      }]
    }
    error_message = "Only X-Ray, for this account, may write spans to aws/spans and /aws/application-signals/data: ${aws_cloudwatch_log_resource_policy.transaction_search[0].policy_document}"
  }

  assert {
    condition     = length(aws_api_gateway_account.this) == 0 && length(aws_iam_role.api_gateway_cloudwatch) == 0 && output.api_gateway_cloudwatch_role_arn == null
    error_message = "API Gateway's account setting is left alone unless asked."
  }

  assert {
    condition     = output.cli_commands.transaction_search == "aws xray update-trace-segment-destination --destination CloudWatchLogs --region eu-west-1" && output.cli_commands.application_signals == "aws application-signals start-discovery --region eu-west-1"
    error_message = "The commands for what Terraform cannot set name the region: ${jsonencode(output.cli_commands)}"
  }
}

run "api_gateway_cloudwatch_role" {
  command = plan

  module {
    source = "./modules/account-setup"
  }

  variables {
    create_transaction_search_policy   = false
    create_api_gateway_cloudwatch_role = true
    iam_role_path                      = "/platform/"
    iam_permissions_boundary_arn       = "arn:aws:iam::123456789012:policy/boundary"
  }

  assert {
    condition     = length(aws_cloudwatch_log_resource_policy.transaction_search) == 0 && output.transaction_search_policy_name == null
    error_message = "The logs policy can be left out."
  }

  assert {
    condition     = aws_iam_role.api_gateway_cloudwatch[0].name == "api-gateway-cloudwatch-logs-eu-west-1" && aws_iam_role.api_gateway_cloudwatch[0].path == "/platform/" && aws_iam_role.api_gateway_cloudwatch[0].permissions_boundary == "arn:aws:iam::123456789012:policy/boundary"
    error_message = "The role is named per region (IAM names are global), with the path and boundary given."
  }

  assert {
    condition     = aws_iam_role_policy_attachment.api_gateway_cloudwatch[0].policy_arn == "arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs" && length(aws_api_gateway_account.this) == 1
    error_message = "The role gets API Gateway's logging policy and is set on the account."
  }

  assert {
    condition     = jsondecode(aws_iam_role.api_gateway_cloudwatch[0].assume_role_policy).Statement[0].Principal.Service == "apigateway.amazonaws.com"
    error_message = "Only API Gateway assumes it."
  }
}

run "role_name_too_long" {
  command = plan

  module {
    source = "./modules/account-setup"
  }

  variables {
    create_api_gateway_cloudwatch_role = true
    api_gateway_cloudwatch_role_name   = "a-role-name-that-is-longer-than-the-sixty-four-characters-iam-allows"
  }

  expect_failures = [var.api_gateway_cloudwatch_role_name]
}
