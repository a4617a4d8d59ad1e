# Webhook senders beside /webhook (mock provider, plan only): a deployment with today's variables
# plans exactly the route and resources it planned before webhook_sources existed; sources add
# their route, secrets, policy resources, environment, metric filters and dashboard lines.

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

override_resource {
  target          = module.queue.aws_sqs_queue.this
  override_during = plan
  values = {
    arn = "arn:aws:sqs:eu-west-1:123456789012:wh"
    url = "https://sqs.eu-west-1.amazonaws.com/123456789012/wh"
  }
}

override_resource {
  target          = aws_secretsmanager_secret.webhook
  override_during = plan
  values          = { arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:wh/webhook-signing-secret-AbCdEf" }
}

override_resource {
  target          = aws_secretsmanager_secret.source
  override_during = plan
  values          = { arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:wh/source/webhook-signing-secret-GhIjKl" }
}

override_resource {
  target          = module.api[0].aws_api_gateway_rest_api.this
  override_during = plan
  values = {
    id               = "abc123"
    root_resource_id = "root0"
    execution_arn    = "arn:aws:execute-api:eu-west-1:123456789012:abc123"
  }
}

override_resource {
  target          = module.api[0].aws_api_gateway_resource.webhook
  override_during = plan
  values          = { id = "res0", path = "/webhook" }
}

override_resource {
  target          = module.api[0].aws_api_gateway_method.post
  override_during = plan
  values          = { id = "agm-abc123-res0-POST" }
}

override_resource {
  target          = module.api[0].aws_api_gateway_integration.post
  override_during = plan
  values          = { id = "agi-abc123-res0-POST" }
}

override_resource {
  target          = module.producer.aws_lambda_function.this
  override_during = plan
  values = {
    arn        = "arn:aws:lambda:eu-west-1:123456789012:function:wh-producer"
    invoke_arn = "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:wh-producer/invocations"
  }
}

override_resource {
  target          = module.api[0].aws_api_gateway_stage.this
  override_during = plan
  values = {
    invoke_url = "https://abc123.execute-api.eu-west-1.amazonaws.com/v1"
    arn        = "arn:aws:apigateway:eu-west-1::/restapis/abc123/stages/v1"
  }
}

override_resource {
  target          = module.producer.aws_cloudwatch_log_group.this
  override_during = plan
  values          = { name = "/aws/lambda/wh-producer" }
}

override_resource {
  target          = module.consumer.aws_cloudwatch_log_group.this
  override_during = plan
  values          = { name = "/aws/lambda/wh-consumer" }
}

variables {
  name = "wh"
}

# The 0.3 variables (only name): the same route, permission, sampling rule, deployment trigger,
# secret, policy, environment and dashboard as before, and nothing new.
run "today_variables_plan_the_same_route_and_resources" {
  command = plan

  assert {
    condition = (
      module.api[0].routes == ["/webhook"] && module.api[0].source_integration_uri == null && module.api[0].source_lambda_permission_source_arn == null &&
      length(aws_secretsmanager_secret.source) == 0 && length(aws_cloudwatch_log_metric_filter.source) == 0
    )
    error_message = "Without webhook_sources nothing of the sources is planned: the one route /webhook, no second permission, secret or metric filter."
  }

  assert {
    condition     = module.api[0].lambda_permission_source_arn == "arn:aws:execute-api:eu-west-1:123456789012:abc123/*/POST/webhook" && output.webhook_url == "https://abc123.execute-api.eu-west-1.amazonaws.com/v1/webhook"
    error_message = "POST /webhook, its permission and its URL stay as they were."
  }

  assert {
    condition     = module.api[0].sampling_rule.url_path == "*/webhook"
    error_message = "The sampling rule still matches */webhook."
  }

  assert {
    # 0.3's formula: sha1(jsonencode([resource id, method id, integration id, invoke ARN])).
    condition = module.api[0].deployment_trigger == sha1(jsonencode([
      "res0",
      "agm-abc123-res0-POST",
      "agi-abc123-res0-POST",
      "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:wh-producer/invocations",
    ]))
    error_message = "The deployment's trigger hashes what it hashed (the /webhook resource, method, integration and invoke ARN): no redeployment on upgrade."
  }

  assert {
    condition     = length(aws_secretsmanager_secret.webhook) == 1 && aws_secretsmanager_secret.webhook[0].name_prefix == "wh/webhook-signing-secret-" && output.webhook_secret_arn == "arn:aws:secretsmanager:eu-west-1:123456789012:secret:wh/webhook-signing-secret-AbCdEf"
    error_message = "The /webhook secret is the one it was."
  }

  assert {
    condition = jsonencode([for s in module.producer.role_policy.Statement : { sid = s.Sid, resources = s.Resource }]) == jsonencode([
      { sid = "WriteOwnLogGroup", resources = ["arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/wh-producer:*"] },
      { sid = "SendToQueue", resources = ["arn:aws:sqs:eu-west-1:123456789012:wh"] },
      { sid = "ReadWebhookSecret", resources = ["arn:aws:secretsmanager:eu-west-1:123456789012:secret:wh/webhook-signing-secret-AbCdEf"] },
    ])
    error_message = "The producer's policy is the one it was: ${jsonencode(module.producer.role_policy)}"
  }

  assert {
    condition = (
      module.producer.environment_variables["WEBHOOK_VERIFICATION"] == "stripe" && !contains(keys(module.producer.environment_variables), "WEBHOOK_SOURCES") &&
      module.producer.environment_variables["WEBHOOK_SECRET_ARN"] == output.webhook_secret_arn
    )
    error_message = "The producer's environment is the one it was (no WEBHOOK_SOURCES)."
  }

  assert {
    condition     = length(module.dashboard[0].dashboard_body.widgets) == 9 && !strcontains(jsonencode(module.dashboard[0].dashboard_body), "per source") && !strcontains(jsonencode(module.dashboard[0].dashboard_body), "--source")
    error_message = "The dashboard is the one it was."
  }

  assert {
    condition = jsonencode(output.webhook_sources) == jsonencode({
      stripe = {
        key_prefix  = ""
        route       = "/webhook"
        scheme      = "stripe"
        secret_arn  = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:wh/webhook-signing-secret-AbCdEf"
        secret_name = aws_secretsmanager_secret.webhook[0].name
        url         = "https://abc123.execute-api.eu-west-1.amazonaws.com/v1/webhook"
      }
    }) && output.source_metrics_namespace == null
    error_message = "webhook_sources lists /webhook's source, named stripe, with bare keys: ${jsonencode(output.webhook_sources)}"
  }
}

# 0.2's variables (its secret's fixed name and role names) plan the same too.
run "variables_of_0_2_plan_the_same_route_and_resources" {
  command = plan

  variables {
    iam_role_names      = { producer = "wh-producer", consumer = "wh-consumer" }
    webhook_secret_name = "wh/webhook-signing-secret"
  }

  assert {
    condition     = aws_secretsmanager_secret.webhook[0].name == "wh/webhook-signing-secret" && length(aws_secretsmanager_secret.source) == 0 && module.api[0].routes == ["/webhook"] && module.api[0].sampling_rule.url_path == "*/webhook"
    error_message = "0.2's secret name is kept and no source resource is planned."
  }
}

run "several_sources_each_on_its_route_with_its_own_secret" {
  command = plan

  variables {
    kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:key/data"
    webhook_sources = {
      github = { scheme = "github" }
      svix   = { scheme = "standard-webhooks", tolerance_seconds = 120 }
      shop   = { scheme = "shopify", secret_arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:shopify-XyZ", secret_kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:key/shop" }
    }
  }

  assert {
    condition     = module.api[0].routes == ["/webhook", "/webhooks/{source}"] && length(module.api[0].deployment_parts) == 7
    error_message = "One route, POST /webhooks/{source}, serves every source (and lets the producer answer 404 for others); a change to it redeploys the stage."
  }

  assert {
    condition     = module.api[0].source_integration_uri == module.producer.invoke_arn
    error_message = "The sources' route proxies to the producer."
  }

  assert {
    condition     = module.api[0].source_lambda_permission_source_arn == "arn:aws:execute-api:eu-west-1:123456789012:abc123/*/POST/webhooks/*" && module.api[0].lambda_permission_source_arn == "arn:aws:execute-api:eu-west-1:123456789012:abc123/*/POST/webhook"
    error_message = "API Gateway may invoke the producer for POST /webhooks/<source> only, beside /webhook's own permission."
  }

  assert {
    condition     = module.api[0].sampling_rule.url_path == "*/webhook*"
    error_message = "The sampling rule matches /webhook and every /webhooks/<source>."
  }

  assert {
    condition     = keys(aws_secretsmanager_secret.source) == ["github", "svix"] && aws_secretsmanager_secret.source["github"].name_prefix == "wh/github/webhook-signing-secret-" && aws_secretsmanager_secret.source["svix"].kms_key_id == "arn:aws:kms:eu-west-1:123456789012:key/data"
    error_message = "Each source without secret_arn gets its own secret (name prefix, the module's key); a given secret is not created."
  }

  assert {
    condition = jsondecode(module.producer.environment_variables["WEBHOOK_SOURCES"]) == {
      github = { scheme = "github", secretArn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:wh/source/webhook-signing-secret-GhIjKl", toleranceSeconds = null }
      svix   = { scheme = "standard-webhooks", secretArn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:wh/source/webhook-signing-secret-GhIjKl", toleranceSeconds = 120 }
      shop   = { scheme = "shopify", secretArn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:shopify-XyZ", toleranceSeconds = null }
    }
    error_message = "WEBHOOK_SOURCES names each source's scheme, secret and tolerance: ${module.producer.environment_variables["WEBHOOK_SOURCES"]}"
  }

  assert {
    condition = jsonencode([for s in module.producer.role_policy.Statement : { sid = s.Sid, resources = s.Resource } if startswith(s.Sid, "ReadWebhook") || startswith(s.Sid, "DecryptWebhook")]) == jsonencode([
      { sid = "ReadWebhookSecret", resources = ["arn:aws:secretsmanager:eu-west-1:123456789012:secret:wh/webhook-signing-secret-AbCdEf", "arn:aws:secretsmanager:eu-west-1:123456789012:secret:wh/source/webhook-signing-secret-GhIjKl", "arn:aws:secretsmanager:eu-west-1:123456789012:secret:shopify-XyZ", "arn:aws:secretsmanager:eu-west-1:123456789012:secret:wh/source/webhook-signing-secret-GhIjKl"] },
      { sid = "DecryptWebhookSecret", resources = ["arn:aws:kms:eu-west-1:123456789012:key/data", "arn:aws:kms:eu-west-1:123456789012:key/shop"] },
    ])
    error_message = "The producer reads exactly its sources' secrets (and /webhook's), and decrypts with exactly their keys: ${jsonencode(module.producer.role_policy)}"
  }

  assert {
    condition     = jsonencode([for s in module.producer.role_policy.Statement : s.Condition if s.Sid == "DecryptWebhookSecret"]) == jsonencode([{ StringEquals = { "kms:ViaService" = ["secretsmanager.eu-west-1.amazonaws.com"] } }])
    error_message = "The secrets' keys only through Secrets Manager."
  }

  assert {
    condition = (
      keys(aws_cloudwatch_log_metric_filter.source) == ["accepted", "rejected", "stored"] &&
      aws_cloudwatch_log_metric_filter.source["accepted"].log_group_name == "/aws/lambda/wh-producer" && aws_cloudwatch_log_metric_filter.source["stored"].log_group_name == "/aws/lambda/wh-consumer" &&
      aws_cloudwatch_log_metric_filter.source["rejected"].pattern == "{ $.message = \"webhook rejected*\" }" &&
      alltrue([for f in aws_cloudwatch_log_metric_filter.source : jsonencode(f.metric_transformation[0].dimensions) == jsonencode({ Source = "$.source" }) && f.metric_transformation[0].namespace == "TracedWebhookPipeline/wh"])
    )
    error_message = "Three metric filters count accepted, rejected and stored webhooks with a Source dimension."
  }

  assert {
    condition = alltrue([for m in [
      ["TracedWebhookPipeline/wh", "WebhooksAccepted", "Source", "github", { label = "github" }],
      ["TracedWebhookPipeline/wh", "WebhooksRejected", "Source", "stripe", { label = "stripe" }],
      ["TracedWebhookPipeline/wh", "WebhooksStored", "Source", "shop", { label = "shop" }],
    ] : contains(flatten([for w in module.dashboard[0].dashboard_body.widgets : [for x in try(w.properties.metrics, []) : jsonencode(x)]]), jsonencode(m))])
    error_message = "The dashboard charts each source, /webhook's stripe included."
  }

  assert {
    condition     = output.webhook_sources["github"].key_prefix == "github#" && output.webhook_sources["github"].url == "https://abc123.execute-api.eu-west-1.amazonaws.com/v1/webhooks/github" && output.webhook_sources["shop"].secret_name == null && output.webhook_sources["stripe"].key_prefix == ""
    error_message = "webhook_sources gives each source's route, URL and key prefix: ${jsonencode(output.webhook_sources)}"
  }
}

run "without_a_webhook_source_only_the_sources" {
  command = plan

  variables {
    webhook_default_source_enabled = false
    webhook_sources                = { github = { scheme = "github" } }
  }

  assert {
    condition     = length(aws_secretsmanager_secret.webhook) == 0 && output.webhook_secret_arn == null && keys(output.webhook_sources) == ["github"]
    error_message = "No /webhook source: no secret for it, and webhook_sources lists only the sources."
  }

  assert {
    condition     = module.producer.environment_variables["WEBHOOK_VERIFICATION"] == "off" && !contains(keys(module.producer.environment_variables), "WEBHOOK_SECRET_ARN")
    error_message = "The producer serves nothing on /webhook (WEBHOOK_VERIFICATION off)."
  }

  assert {
    condition     = jsonencode([for s in module.producer.role_policy.Statement : s.Resource if s.Sid == "ReadWebhookSecret"]) == jsonencode([["arn:aws:secretsmanager:eu-west-1:123456789012:secret:wh/source/webhook-signing-secret-GhIjKl"]])
    error_message = "The producer reads only the source's secret."
  }
}

run "source_name_invalid" {
  command = plan
  variables {
    webhook_sources = { "Git#Hub" = { scheme = "github" } }
  }
  expect_failures = [var.webhook_sources]
}

run "source_scheme_unknown" {
  command = plan
  variables {
    webhook_sources = { gitlab = { scheme = "gitlab" } }
  }
  expect_failures = [var.webhook_sources]
}

run "source_tolerance_on_a_scheme_without_timestamp" {
  command = plan
  variables {
    webhook_sources = { github = { scheme = "github", tolerance_seconds = 60 } }
  }
  expect_failures = [var.webhook_sources]
}

run "source_tolerance_out_of_range" {
  command = plan
  variables {
    webhook_sources = { slack = { scheme = "slack", tolerance_seconds = 0 } }
  }
  expect_failures = [var.webhook_sources]
}

run "source_secret_arn_not_a_secret" {
  command = plan
  variables {
    webhook_sources = { github = { scheme = "github", secret_arn = "arn:aws:ssm:eu-west-1:123456789012:parameter/github" } }
  }
  expect_failures = [var.webhook_sources]
}

run "source_secret_kms_key_without_its_secret" {
  command = plan
  variables {
    webhook_sources = { github = { scheme = "github", secret_kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:key/k" } }
  }
  expect_failures = [var.webhook_sources]
}

run "more_than_ten_sources" {
  command = plan
  variables {
    webhook_sources = { for i in range(11) : "s${i}" => { scheme = "shopify" } }
  }
  expect_failures = [var.webhook_sources]
}

run "source_named_like_the_webhook_source" {
  command = plan
  variables {
    webhook_sources = { stripe = { scheme = "stripe" } }
  }
  expect_failures = [var.webhook_sources]
}

run "no_webhook_source_and_no_sources" {
  command = plan
  variables {
    webhook_default_source_enabled = false
  }
  expect_failures = [var.webhook_sources]
}

run "webhook_secret_without_the_webhook_source" {
  command = plan
  variables {
    webhook_default_source_enabled = false
    webhook_sources                = { github = { scheme = "github" } }
    webhook_secret_arn             = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:whsec-AbC"
  }
  expect_failures = [var.webhook_default_source_enabled]
}
