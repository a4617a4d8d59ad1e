# The ADOT layer default per region and partition, and a region without a default.

mock_provider "aws" {
  mock_data "aws_partition" {
    defaults = { partition = "aws-cn", dns_suffix = "amazonaws.com.cn" }
  }
  mock_data "aws_region" {
    defaults = { id = "cn-north-1" }
  }
  mock_data "aws_caller_identity" {
    defaults = { account_id = "123456789012" }
  }
}

mock_provider "aws" {
  alias = "unknown_region"
  mock_data "aws_partition" {
    defaults = { partition = "aws", dns_suffix = "amazonaws.com" }
  }
  mock_data "aws_region" {
    defaults = { id = "xx-nowhere-1" }
  }
  mock_data "aws_caller_identity" {
    defaults = { account_id = "123456789012" }
  }
}

mock_provider "aws" {
  alias = "ap_south_2"
  mock_data "aws_partition" {
    defaults = { partition = "aws", dns_suffix = "amazonaws.com" }
  }
  mock_data "aws_region" {
    defaults = { id = "ap-south-2" }
  }
  mock_data "aws_caller_identity" {
    defaults = { account_id = "123456789012" }
  }
}

mock_provider "aws" {
  alias = "me_south_1"
  mock_data "aws_partition" {
    defaults = { partition = "aws", dns_suffix = "amazonaws.com" }
  }
  mock_data "aws_region" {
    defaults = { id = "me-south-1" }
  }
  mock_data "aws_caller_identity" {
    defaults = { account_id = "123456789012" }
  }
}

variables {
  name = "wh"
}

run "china_partition_layer_and_arns" {
  command = plan

  variables {
    kms_key_arn = "arn:aws-cn:kms:cn-north-1:123456789012:key/abc"
  }

  assert {
    condition     = output.adot_layer_arn == "arn:aws-cn:lambda:cn-north-1:440179912924:layer:AWSOpenTelemetryDistroJs:8"
    error_message = "China uses its own partition, publishing account and layer version: ${coalesce(output.adot_layer_arn, "null")}"
  }

  assert {
    condition     = module.producer.role_policy.Statement[0].Resource[0] == "arn:aws-cn:logs:cn-north-1:123456789012:log-group:/aws/lambda/wh-producer:*"
    error_message = "ARNs are built with the partition."
  }

  assert {
    condition     = contains(module.producer.managed_policy_arns, "arn:aws-cn:iam::aws:policy/AWSXRayDaemonWriteAccess")
    error_message = "Managed policy ARNs use the partition."
  }

  assert {
    condition     = jsonencode(module.consumer.role_policy.Statement[3].Condition) == jsonencode({ StringEquals = { "kms:ViaService" = ["sqs.cn-north-1.amazonaws.com.cn"] } })
    error_message = "kms:ViaService uses the partition's DNS suffix."
  }
}

run "regional_account" {
  command = plan
  providers = {
    aws = aws.ap_south_2
  }

  assert {
    condition     = output.adot_layer_arn == "arn:aws:lambda:ap-south-2:796973505492:layer:AWSOpenTelemetryDistroJs:15"
    error_message = "ap-south-2 has its own publishing account."
  }
}

run "region_with_a_lower_layer_version" {
  command = plan
  providers = {
    aws = aws.me_south_1
  }

  assert {
    condition     = output.adot_layer_arn == "arn:aws:lambda:me-south-1:980921751758:layer:AWSOpenTelemetryDistroJs:12"
    error_message = "Each region gets its own published version, not one number for all: ${coalesce(output.adot_layer_arn, "null")}"
  }
}

run "unknown_region_fails_without_override" {
  command = plan
  providers = {
    aws = aws.unknown_region
  }

  expect_failures = [var.adot_layer_arn]
}

run "unknown_region_with_override" {
  command = plan
  providers = {
    aws = aws.unknown_region
  }

  variables {
    adot_layer_arn = "arn:aws:lambda:xx-nowhere-1:123456789012:layer:AWSOpenTelemetryDistroJs:2"
  }

  assert {
    condition     = output.adot_layer_arn == "arn:aws:lambda:xx-nowhere-1:123456789012:layer:AWSOpenTelemetryDistroJs:2"
    error_message = "adot_layer_arn works in any region."
  }
}

run "unknown_region_without_tracing" {
  command = plan
  providers = {
    aws = aws.unknown_region
  }

  variables {
    tracing_enabled = false
  }

  assert {
    condition     = output.adot_layer_arn == null && length(module.consumer.layers) == 0
    error_message = "No layer is needed without tracing."
  }
}
