# The dashboard module on its own (mock provider, plan only): every widget the people on call
# need, the where-is text, and the console URL.

mock_provider "aws" {}

variables {
  name                   = "wh"
  region                 = "eu-west-1"
  api_name               = "wh"
  api_stage_name         = "live"
  producer_function_name = "wh-producer"
  consumer_function_name = "wh-consumer"
  queue_name             = "wh"
  dlq_name               = "wh-dlq"
  table_name             = "wh-events"
  where_is_command       = "make where-is EVENT=evt_... TF_DIR=infra/webhooks"
}

run "dashboard_widgets_and_url" {
  command = plan

  module {
    source = "./modules/dashboard"
  }

  assert {
    condition     = aws_cloudwatch_dashboard.this.dashboard_name == "wh"
    error_message = "The dashboard takes the given name."
  }

  assert {
    condition     = output.dashboard_url == "https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#dashboards/dashboard/wh"
    error_message = "The URL opens the dashboard in the region's console."
  }

  assert {
    condition = toset([for w in output.dashboard_body.widgets : try(w.properties.title, "")]) == toset([
      "", "API requests, 4xx, 5xx", "API latency (ms)", "Function errors and throttles", "Function duration p99 (ms)",
      "Queue depth", "Age of the oldest message (s)", "Dead-letter queue depth", "DynamoDB throttled requests",
    ])
    error_message = "One widget each: API traffic and latency, function errors/throttles and duration, queue depth and age, DLQ depth, DynamoDB throttles, and the text."
  }

  assert {
    condition     = contains(flatten([for w in output.dashboard_body.widgets : [for m in try(w.properties.metrics, []) : jsonencode(m)]]), jsonencode(["AWS/ApiGateway", "ApiName", "wh", "Stage", "live", "5XXError"]))
    error_message = "A widget graphs the API stage's 5xx."
  }

  assert {
    condition     = contains(flatten([for w in output.dashboard_body.widgets : [for m in try(w.properties.metrics, []) : jsonencode(m)]]), jsonencode(["AWS/Lambda", "Throttles", "FunctionName", "wh-consumer", { label = "consumer throttles" }]))
    error_message = "A widget graphs the consumer's throttles."
  }

  assert {
    condition     = contains(flatten([for w in output.dashboard_body.widgets : [for m in try(w.properties.metrics, []) : jsonencode(m)]]), jsonencode(["AWS/SQS", "ApproximateAgeOfOldestMessage", "QueueName", "wh"]))
    error_message = "A widget graphs the queue's oldest message age."
  }

  assert {
    condition     = contains(flatten([for w in output.dashboard_body.widgets : [for m in try(w.properties.metrics, []) : jsonencode(m)]]), jsonencode(["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", "wh-dlq"]))
    error_message = "A widget graphs the DLQ's depth."
  }

  assert {
    condition     = contains(flatten([for w in output.dashboard_body.widgets : [for m in try(w.properties.metrics, []) : jsonencode(m)]]), jsonencode(["AWS/DynamoDB", "ThrottledRequests", "TableName", "wh-events", "Operation", "PutItem"]))
    error_message = "A widget graphs the table's throttled PutItems."
  }

  assert {
    condition = alltrue([
      strcontains(output.dashboard_body.widgets[0].properties.markdown, "make where-is EVENT=evt_... TF_DIR=infra/webhooks"),
      strcontains(output.dashboard_body.widgets[0].properties.markdown, "https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#xray:traces/query"),
    ])
    error_message = "The text widget shows the where-is command and the trace console link."
  }

  assert {
    condition     = alltrue([for w in output.dashboard_body.widgets : w.x + w.width <= 24])
    error_message = "Every widget fits the 24-column grid."
  }
}

run "dashboard_without_api_in_china" {
  command = plan

  module {
    source = "./modules/dashboard"
  }

  variables {
    api_name  = null
    partition = "aws-cn"
    region    = "cn-north-1"
  }

  assert {
    condition     = length([for w in output.dashboard_body.widgets : w if startswith(try(w.properties.title, ""), "API")]) == 0
    error_message = "No API, no API widgets."
  }

  assert {
    condition     = startswith(output.dashboard_url, "https://cn-north-1.console.amazonaws.cn/cloudwatch/home?region=cn-north-1#dashboards/")
    error_message = "China's console domain."
  }
}

run "dashboard_name_validated" {
  command = plan

  module {
    source = "./modules/dashboard"
  }

  variables {
    name = "has spaces"
  }

  expect_failures = [var.name]
}
