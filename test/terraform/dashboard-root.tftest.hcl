# create_dashboard in the root module (mock provider, plan only): on by default, wired to the
# deployment's own API, functions, queues and table; off leaves no dashboard and null outputs.

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

variables {
  name = "wh"
}

run "dashboard_by_default" {
  command = plan

  assert {
    condition     = length(module.dashboard) == 1 && output.dashboard_name == "wh-eu-west-1"
    error_message = "create_dashboard defaults to true and names the dashboard after the deployment and its region (dashboard names are global to the account)."
  }

  assert {
    condition     = output.dashboard_url == "https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#dashboards/dashboard/wh-eu-west-1"
    error_message = "dashboard_url opens it in the deployment's region."
  }

  assert {
    condition = alltrue([for m in [
      ["AWS/ApiGateway", "ApiName", "wh", "Stage", "v1", "Count"],
      ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", "wh-dlq"],
      ["AWS/DynamoDB", "WriteThrottleEvents", "TableName", "wh-events"],
      ["AWS/Lambda", "Duration", "FunctionName", "wh-producer", { label = "producer" }],
    ] : contains(flatten([for w in module.dashboard[0].dashboard_body.widgets : [for x in try(w.properties.metrics, []) : jsonencode(x)]]), jsonencode(m))])
    error_message = "The widgets use the deployment's API stage, DLQ, table and functions."
  }
}

run "dashboard_off" {
  command = plan

  variables {
    create_dashboard = false
  }

  assert {
    condition     = length(module.dashboard) == 0 && output.dashboard_name == null && output.dashboard_url == null
    error_message = "create_dashboard = false creates no dashboard."
  }
}

run "dashboard_without_api" {
  command = plan

  variables {
    create_api = false
  }

  assert {
    condition     = length([for w in module.dashboard[0].dashboard_body.widgets : w if startswith(try(w.properties.title, ""), "API")]) == 0
    error_message = "Without the module's API, no API widgets."
  }
}
