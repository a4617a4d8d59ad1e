# The examples as their users plan them, not only `terraform validate`: examples/complete makes
# the pipeline wait for its VPC endpoints (depends_on on the module), which defers the module's
# data sources to apply time, so anything the module keys on them must still be known at plan.

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
  mock_data "aws_availability_zones" {
    defaults = { names = ["eu-west-1a", "eu-west-1b", "eu-west-1c"] }
  }
  mock_resource "aws_kms_key" {
    defaults = { arn = "arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-000000000000" }
  }
  mock_resource "aws_sns_topic" {
    defaults = { arn = "arn:aws:sns:eu-west-1:123456789012:webhook-complete-alarms" }
  }
}

run "complete_plans_with_the_module_behind_its_vpc_endpoints" {
  command = plan

  module {
    source = "./examples/complete"
  }

  assert {
    condition     = output.table_name == "webhook-complete-events"
    error_message = "examples/complete must plan, even while the module's data sources wait for the VPC endpoints."
  }
}

run "existing_account_plans_against_what_the_account_has" {
  command = plan

  module {
    source = "./examples/existing-account"
  }

  variables {
    vpc_id             = "vpc-0123456789abcdef0"
    security_group_ids = ["sg-0123456789abcdef0"]
  }

  override_data {
    target = data.aws_kms_key.data
    values = { arn = "arn:aws:kms:eu-west-1:123456789012:key/11111111-1111-1111-1111-111111111111" }
  }

  override_data {
    target = data.aws_dynamodb_table.events
    values = { hash_key = "eventId", arn = "arn:aws:dynamodb:eu-west-1:123456789012:table/webhook-events" }
  }

  override_data {
    target = data.aws_subnets.private
    values = { ids = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"] }
  }

  override_data {
    target = data.aws_iam_policy.boundary
    values = { arn = "arn:aws:iam::123456789012:policy/platform-boundary" }
  }

  override_data {
    target = data.aws_secretsmanager_secret.webhook
    values = { arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:stripe/webhook-signing-secret-AbCdEf" }
  }

  override_data {
    target = data.aws_api_gateway_rest_api.existing
    values = { execution_arn = "arn:aws:execute-api:eu-west-1:123456789012:abcdef1234" }
  }

  assert {
    condition     = aws_lambda_permission.existing_api.source_arn == "arn:aws:execute-api:eu-west-1:123456789012:abcdef1234/*/POST/webhook"
    error_message = "examples/existing-account must plan against an account's existing key, table, subnets, boundary, secret and API."
  }
}

run "custom_consumer_plans" {
  command = plan

  module {
    source = "./examples/custom-consumer"
  }

  assert {
    condition     = output.consumer_function_name == "webhook-invoices-consumer"
    error_message = "examples/custom-consumer must plan with its own consumer package."
  }
}
