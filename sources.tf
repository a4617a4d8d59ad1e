# Webhook senders beside /webhook: each source of webhook_sources on its own route
# (POST /webhooks/<source>, modules/webhook-api), with its own scheme and signing secret, its events
# stored under <source>#<id>, and per-source metrics from the functions' log lines. With no
# sources, nothing here is created and the deployment is exactly /webhook's.

locals {
  # The schemes whose signature covers a timestamp (the others rest on the stored event id).
  timestamped_schemes = ["stripe", "standard-webhooks", "slack"]

  # The secret format each scheme's sender hands out, for the created secrets' descriptions.
  secret_formats = {
    stripe              = "the endpoint's whsec_... signing secret (several separated by commas while rotating)"
    github              = "the webhook's secret, as typed in GitHub (while rotating: a JSON array of both)"
    "standard-webhooks" = "the endpoint's whsec_<base64> signing secret (several separated by commas while rotating)"
    shopify             = "the app's client secret (several separated by commas while rotating)"
    slack               = "the app's signing secret (several separated by commas while rotating)"
  }

  # WEBHOOK_SOURCES for the producer (functions/producer/webhook-sources.ts).
  producer_sources = { for source, config in var.webhook_sources : source => {
    scheme           = config.scheme
    secretArn        = local.source_secret_arns[source]
    toleranceSeconds = contains(local.timestamped_schemes, config.scheme) ? coalesce(config.tolerance_seconds, 300) : null
  } }

  # Every source the producer serves, for the outputs (where-is and redrive read key_prefix).
  served_sources = merge(
    var.webhook_default_source_enabled ? {
      stripe = {
        scheme      = var.webhook_verification
        route       = "/webhook"
        url         = var.create_api ? module.api[0].webhook_url : null
        secret_arn  = local.webhook_secret_arn
        secret_name = one(aws_secretsmanager_secret.webhook[*].name)
        key_prefix  = ""
      }
    } : {},
    { for source, config in var.webhook_sources : source => {
      scheme      = config.scheme
      route       = "/webhooks/${source}"
      url         = var.create_api ? "${module.api[0].source_webhook_url_prefix}/${source}" : null
      secret_arn  = local.source_secret_arns[source]
      secret_name = try(aws_secretsmanager_secret.source[source].name, null)
      key_prefix  = "${source}#"
    } },
  )

  # Per-source counts from the functions' JSON log lines (their `source` field; a request for an
  # unknown source logs `requestedSource` instead, so made-up names never become dimensions).
  source_metrics_namespace = "TracedWebhookPipeline/${var.name}"
  source_metric_filters = length(var.webhook_sources) == 0 ? {} : {
    accepted = { log_group_name = module.producer.log_group_name, metric = "WebhooksAccepted", pattern = "{ $.message = \"webhook enqueued\" }" }
    rejected = { log_group_name = module.producer.log_group_name, metric = "WebhooksRejected", pattern = "{ $.message = \"webhook rejected*\" }" }
    stored   = { log_group_name = module.consumer.log_group_name, metric = "WebhooksStored", pattern = "{ $.message = \"webhook stored\" }" }
  }
}

# One secret per source without secret_arn, created without a value (it never enters Terraform
# state) from a name prefix, as /webhook's is: a new suffix on every create, so destroy-then-apply
# never meets a name still in its recovery window.
resource "aws_secretsmanager_secret" "source" {
  for_each = { for source, config in var.webhook_sources : source => config if config.secret_arn == null }

  name_prefix             = "${var.name}/${each.key}/webhook-signing-secret-"
  description             = "Signing secret of the ${each.key} webhook source (${each.value.scheme}, POST /webhooks/${each.key}) the ${local.producer_function_name} function verifies requests with: ${local.secret_formats[each.value.scheme]}. Set its value out of band."
  kms_key_id              = var.kms_key_arn
  recovery_window_in_days = var.webhook_secret_recovery_window_in_days
  tags                    = var.tags
}

resource "aws_cloudwatch_log_metric_filter" "source" {
  for_each = local.source_metric_filters

  name           = "${var.name}-webhooks-${each.key}-by-source"
  log_group_name = each.value.log_group_name
  pattern        = each.value.pattern

  metric_transformation {
    name       = each.value.metric
    namespace  = local.source_metrics_namespace
    value      = "1"
    unit       = "Count"
    dimensions = { Source = "$.source" }
  }
}
