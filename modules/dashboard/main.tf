# A CloudWatch dashboard for the people on call: the pipeline from the request to the table on
# one page, and how to find one event.

locals {
  console_host = {
    "aws"        = "console.aws.amazon.com"
    "aws-cn"     = "console.amazonaws.cn"
    "aws-us-gov" = "console.amazonaws-us-gov.com"
  }[var.partition]
  console     = "https://${var.region}.${local.console_host}/cloudwatch/home?region=${var.region}"
  traces_url  = "${local.console}#xray:traces/query"
  map_url     = "${local.console}#xray:service-map/map"
  has_api     = var.api_name != null && var.api_stage_name != null
  api         = local.has_api ? ["AWS/ApiGateway", "ApiName", var.api_name, "Stage", var.api_stage_name] : []
  lambda      = { producer = var.producer_function_name, consumer = var.consumer_function_name }
  logs_groups = join(", ", [for fn in values(local.lambda) : "/aws/lambda/${fn}"])

  metric_widget = {
    type   = "metric"
    width  = 8
    height = 6
  }
  properties = {
    region = var.region
    period = var.period_seconds
    view   = "timeSeries"
  }

  text = <<-EOT
    ## What happened to event evt_…?
    One command answers from the table, the dead-letter queue and the functions' logs (${local.logs_groups}):
    ```
    ${var.where_is_command}
    ```
    It says stored, in the dead-letter queue, still queued, rejected at the gate or never seen, with the trace id and links.
    After fixing what dead-lettered messages: `make redrive ARGS=--dry-run`, then `make redrive`.

    [Traces](${local.traces_url}) · [Trace map](${local.map_url}) · [Logs Insights](${local.console}#logsV2:logs-insights)
  EOT
  # With several sources, where-is asks which one: its events' ids are stored per source.
  sources_text = <<-EOT
    Events of a source other than /webhook's: add `--source <source>` (${join(", ", var.sources)}).
  EOT

  # One line per source for each count the functions' log lines give (the module's metric filters).
  source_widgets = [for title, metric in {
    "Webhooks accepted per source"              = "WebhooksAccepted"
    "Webhooks rejected at the gate, per source" = "WebhooksRejected"
    "Webhooks stored per source"                = "WebhooksStored"
    } : merge(local.metric_widget, { properties = merge(local.properties, {
      title   = title
      stat    = "Sum"
      metrics = [for source in var.sources : [var.source_metrics_namespace, metric, "Source", source, { label = source }]]
  }) })]

  # Left out when the module created no API (a conditional cannot pick between tuples of different lengths).
  api_widgets = [for widget in [
    merge(local.metric_widget, { properties = merge(local.properties, {
      title   = "API requests, 4xx, 5xx"
      stat    = "Sum"
      metrics = [concat(local.api, ["Count"]), concat(local.api, ["4XXError"]), concat(local.api, ["5XXError"])]
    }) }),
    merge(local.metric_widget, { properties = merge(local.properties, {
      title   = "API latency (ms)"
      metrics = [concat(local.api, ["Latency", { stat = "p50" }]), concat(local.api, ["Latency", { stat = "p99" }]), concat(local.api, ["IntegrationLatency", { stat = "p99" }])]
    }) }),
  ] : widget if local.has_api]

  function_widgets = [
    merge(local.metric_widget, { properties = merge(local.properties, {
      title = "Function errors and throttles"
      stat  = "Sum"
      # concat, not flatten: flatten would also flatten each metric's own array.
      metrics = concat([for role, fn in local.lambda : ["AWS/Lambda", "Errors", "FunctionName", fn, { label = "${role} errors" }]], [for role, fn in local.lambda : ["AWS/Lambda", "Throttles", "FunctionName", fn, { label = "${role} throttles" }]])
    }) }),
    merge(local.metric_widget, { properties = merge(local.properties, {
      title   = "Function duration p99 (ms)"
      stat    = "p99"
      metrics = [for role, fn in local.lambda : ["AWS/Lambda", "Duration", "FunctionName", fn, { label = role }]]
    }) }),
  ]

  queue_widgets = [
    merge(local.metric_widget, { properties = merge(local.properties, {
      title   = "Queue depth"
      stat    = "Maximum"
      metrics = [["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", var.queue_name, { label = "waiting" }], ["AWS/SQS", "ApproximateNumberOfMessagesNotVisible", "QueueName", var.queue_name, { label = "in flight" }]]
    }) }),
    merge(local.metric_widget, { properties = merge(local.properties, {
      title   = "Age of the oldest message (s)"
      stat    = "Maximum"
      metrics = [["AWS/SQS", "ApproximateAgeOfOldestMessage", "QueueName", var.queue_name]]
    }) }),
    merge(local.metric_widget, { properties = merge(local.properties, {
      title   = "Dead-letter queue depth"
      stat    = "Maximum"
      metrics = [["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", var.dlq_name]]
    }) }),
    merge(local.metric_widget, { properties = merge(local.properties, {
      title   = "DynamoDB throttled requests"
      stat    = "Sum"
      metrics = [["AWS/DynamoDB", "ThrottledRequests", "TableName", var.table_name, "Operation", "PutItem"], ["AWS/DynamoDB", "WriteThrottleEvents", "TableName", var.table_name]]
    }) }),
  ]

  text_widget = { type = "text", width = 24, height = 5, properties = { markdown = length(var.sources) > 0 ? "${local.text}${local.sources_text}" : local.text } }

  # Laid out row by row, 24 columns wide, in the order the request travels; the sources' last.
  widgets = [for index, widget in concat(local.api_widgets, local.function_widgets, local.queue_widgets, length(var.sources) > 0 ? local.source_widgets : []) : merge(widget, {
    x = (index % 3) * 8
    y = 5 + floor(index / 3) * 6
  })]
}

resource "aws_cloudwatch_dashboard" "this" {
  dashboard_name = var.name
  dashboard_body = jsonencode({ widgets = concat([merge(local.text_widget, { x = 0, y = 0 })], local.widgets) })
}
