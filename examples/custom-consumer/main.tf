# A team's own consumer deployed with the module: it stores only invoice.* events, in a table of
# its own, and is built on the packaged tracing library (@webhook-tracing/sqs-otel). The module
# deploys its zip in place of the built-in consumer; the environment variables and IAM
# statements it needs go through the module's inputs.

provider "aws" {
  region = var.region
}

locals {
  tags = {
    Example = "custom-consumer"
    Module  = "traced-webhook-pipeline"
  }
}

resource "aws_dynamodb_table" "invoices" {
  name         = "${var.name}-invoices"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "eventId"

  attribute {
    name = "eventId"
    type = "S"
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled = true
  }

  tags = local.tags
}

module "webhook" {
  source = "../.."

  name = var.name

  # Built by `make custom-consumer` (npm ci + npm run build here): dist/ is not committed.
  consumer_package_path = coalesce(var.consumer_package_path, "${path.module}/dist/consumer.zip")

  consumer_environment_variables = {
    INVOICES_TABLE = aws_dynamodb_table.invoices.name
  }

  # Only what this consumer does beyond the module's own (queue, logs, tracing).
  consumer_policy_statements = [{
    sid       = "WriteInvoices"
    actions   = ["dynamodb:PutItem"]
    resources = [aws_dynamodb_table.invoices.arn]
  }]

  # Only invoice events reach the function; Lambda deletes the others from the queue unprocessed.
  event_source_filter_patterns = var.only_invoice_events ? [jsonencode({ body = { type = [{ prefix = "invoice." }] } })] : []

  tags = local.tags
}
