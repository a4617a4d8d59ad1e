# The ADOT layer default per region and partition, a region without a default, and the names
# that are global to the account (IAM roles, dashboards): unique per region, within IAM's limit.

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

mock_provider "aws" {
  alias = "eu_west_1"
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

# The longest region name AWS has (15 characters), in the ISO-F partition.
mock_provider "aws" {
  alias = "us_isof_south_1"
  mock_data "aws_partition" {
    defaults = { partition = "aws-iso-f", dns_suffix = "csp.hci.ic.gov" }
  }
  mock_data "aws_region" {
    defaults = { id = "us-isof-south-1" }
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

# IAM role names and dashboard names are global to the account: the same name applied in a
# second region must not collide with the first (EntityAlreadyExists).
run "same_name_first_region" {
  command = plan
  providers = {
    aws = aws.eu_west_1
  }

  assert {
    condition     = output.producer_role_name == "wh-producer-eu-west-1" && output.consumer_role_name == "wh-consumer-eu-west-1" && output.dashboard_name == "wh-eu-west-1"
    error_message = "Account-global names carry the region: ${output.producer_role_name}, ${output.consumer_role_name}, ${coalesce(output.dashboard_name, "null")}."
  }
}

run "same_name_second_region" {
  command = plan
  providers = {
    aws = aws.ap_south_2
  }

  assert {
    condition = length(setintersection(
      [output.producer_role_name, output.consumer_role_name, output.dashboard_name],
      [run.same_name_first_region.producer_role_name, run.same_name_first_region.consumer_role_name, run.same_name_first_region.dashboard_name],
    )) == 0
    error_message = "The same name in a second region must not reuse a role or dashboard name of the first."
  }

  assert {
    condition     = output.producer_role_name == "wh-producer-ap-south-2" && output.consumer_role_name == "wh-consumer-ap-south-2"
    error_message = "Predictable role names: <name>-<role>-<region>."
  }
}

run "longest_name_in_longest_region" {
  command = plan
  providers = {
    aws = aws.us_isof_south_1
  }

  variables {
    name            = "a-forty-character-pipeline-name-00000001"
    tracing_enabled = false
    # No public console in the ISO partitions for the dashboard's links.
    create_dashboard = false
  }

  assert {
    condition     = length(var.name) == 40 && length(output.producer_role_name) == 64 && length(output.consumer_role_name) == 64
    error_message = "Role names are shortened to IAM's 64 characters: ${output.producer_role_name} (${length(output.producer_role_name)}), ${output.consumer_role_name}."
  }

  assert {
    condition     = startswith(output.producer_role_name, "a-forty-character-pipe") && endswith(output.producer_role_name, "-producer-us-isof-south-1") && endswith(output.consumer_role_name, "-consumer-us-isof-south-1")
    error_message = "A shortened role name keeps the start of the name, its role and its region: ${output.producer_role_name}."
  }
}

run "longest_names_differing_only_at_the_end" {
  command = plan
  providers = {
    aws = aws.us_isof_south_1
  }

  variables {
    name            = "a-forty-character-pipeline-name-00000002"
    tracing_enabled = false
    # No public console in the ISO partitions for the dashboard's links.
    create_dashboard = false
  }

  assert {
    condition     = output.producer_role_name != run.longest_name_in_longest_region.producer_role_name && length(output.producer_role_name) == 64
    error_message = "Two names that differ only in the part cut off still get different roles (the hash): ${output.producer_role_name}."
  }
}
