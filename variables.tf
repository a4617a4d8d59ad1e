################################################################################
# General
################################################################################

variable "name" {
  description = "Name of the pipeline; prefixes every resource (functions <name>-producer and <name>-consumer, queue <name>, DLQ <name>-dlq, table <name>-events). Account-global names add the region: roles <name>-producer-<region> and <name>-consumer-<region> (shortened with a hash past IAM's 64 characters), dashboard <name>-<region>."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z][A-Za-z0-9-]{0,39}$", var.name))
    error_message = "name must start with a letter and be 1-40 letters, digits or hyphens (it prefixes function, role and queue names)."
  }
}

variable "tags" {
  description = "Tags for every taggable resource."
  type        = map(string)
  default     = {}
}

################################################################################
# Functions
################################################################################

variable "producer_package_path" {
  description = "Zip of the producer function (index.js, handler index.handler); null uses dist/producer.zip, committed in this module (no build step needed)."
  type        = string
  default     = null

  validation {
    condition     = fileexists(coalesce(var.producer_package_path, "${path.module}/dist/producer.zip"))
    error_message = "The producer package was not found (default: dist/producer.zip, committed in the module; `make build` recreates it in a checkout). Set producer_package_path to a zip that exists."
  }
}

variable "consumer_package_path" {
  description = "Zip of the consumer function (index.js, handler index.handler); null uses dist/consumer.zip, committed in this module (no build step needed)."
  type        = string
  default     = null

  validation {
    condition     = fileexists(coalesce(var.consumer_package_path, "${path.module}/dist/consumer.zip"))
    error_message = "The consumer package was not found (default: dist/consumer.zip, committed in the module; `make build` recreates it in a checkout). Set consumer_package_path to a zip that exists."
  }
}

variable "runtime" {
  description = "Node.js runtime of both functions. AWS provider 5.100 accepts up to nodejs22.x; nodejs24.x needs a newer provider."
  type        = string
  default     = "nodejs22.x"

  validation {
    condition     = contains(["nodejs20.x", "nodejs22.x", "nodejs24.x"], var.runtime)
    error_message = "runtime must be nodejs20.x, nodejs22.x or nodejs24.x."
  }
}

variable "architectures" {
  description = "Instruction set of both functions: [\"arm64\"] or [\"x86_64\"] (the code is plain JavaScript; the ADOT layer serves both)."
  type        = list(string)
  default     = ["arm64"]

  validation {
    condition     = length(var.architectures) == 1 && alltrue([for a in var.architectures : contains(["arm64", "x86_64"], a)])
    error_message = "architectures must be exactly one of \"arm64\" or \"x86_64\"."
  }
}

variable "producer_memory_size" {
  description = "Memory of the producer in MB."
  type        = number
  default     = 512

  validation {
    condition     = var.producer_memory_size >= 128 && var.producer_memory_size <= 10240
    error_message = "producer_memory_size must be between 128 and 10240."
  }
}

variable "consumer_memory_size" {
  description = "Memory of the consumer in MB."
  type        = number
  default     = 512

  validation {
    condition     = var.consumer_memory_size >= 128 && var.consumer_memory_size <= 10240
    error_message = "consumer_memory_size must be between 128 and 10240."
  }
}

variable "producer_timeout" {
  description = "Timeout of the producer in seconds. API Gateway gives up after 29 s, so more is pointless."
  type        = number
  default     = 10

  validation {
    condition     = var.producer_timeout >= 1 && var.producer_timeout <= 29
    error_message = "producer_timeout must be between 1 and 29 seconds (API Gateway's integration timeout)."
  }
}

variable "consumer_timeout" {
  description = "Timeout of the consumer in seconds (one batch)."
  type        = number
  default     = 30

  validation {
    condition     = var.consumer_timeout >= 1 && var.consumer_timeout <= 900
    error_message = "consumer_timeout must be between 1 and 900 seconds."
  }
}

variable "producer_reserved_concurrent_executions" {
  description = "Reserved concurrency of the producer; null leaves it unreserved."
  type        = number
  default     = null

  validation {
    condition     = var.producer_reserved_concurrent_executions == null ? true : var.producer_reserved_concurrent_executions >= 0
    error_message = "producer_reserved_concurrent_executions must be 0 or more, or null."
  }
}

variable "consumer_reserved_concurrent_executions" {
  description = "Reserved concurrency of the consumer; null leaves it unreserved. Keep it at or above event_source_maximum_concurrency."
  type        = number
  default     = null

  validation {
    condition     = var.consumer_reserved_concurrent_executions == null ? true : var.consumer_reserved_concurrent_executions >= 0
    error_message = "consumer_reserved_concurrent_executions must be 0 or more, or null."
  }
}

variable "producer_environment_variables" {
  description = "Extra environment variables for the producer. The module's own keys (QUEUE_URL, WEBHOOK_*, MAX_BODY_BYTES, QUEUE_MAX_MESSAGE_BYTES, OTEL_STRICT and the ADOT ones) cannot be overridden; OTEL_TRACES_EXPORTER=xray and OTEL_SDK_DISABLED are refused (tracing_enabled = false is the switch)."
  type        = map(string)
  default     = {}

  validation {
    condition     = upper(trimspace(lookup(var.producer_environment_variables, "OTEL_TRACES_EXPORTER", ""))) != "XRAY"
    error_message = "OTEL_TRACES_EXPORTER=xray is not allowed: the ADOT layer has no such exporter and the cold start fails."
  }

  validation {
    condition     = !contains(keys(var.producer_environment_variables), "OTEL_SDK_DISABLED")
    error_message = "producer_environment_variables must not set OTEL_SDK_DISABLED: it turns the layer's SDK off while the wrapper stays, so traces break silently (and in fast-start mode it is ignored). Set tracing_enabled = false to turn tracing off."
  }

  validation {
    condition = length(setintersection(keys(var.producer_environment_variables), [
      "QUEUE_URL", "WEBHOOK_VERIFICATION", "WEBHOOK_SECRET_ARN", "WEBHOOK_TOLERANCE_SECONDS", "MAX_BODY_BYTES", "QUEUE_MAX_MESSAGE_BYTES", "OTEL_STRICT",
      "AWS_LAMBDA_EXEC_WRAPPER", "OTEL_SERVICE_NAME", "OTEL_AWS_APPLICATION_SIGNALS_ENABLED", "OTEL_PROPAGATORS", "OTEL_METRICS_EXPORTER", "OTEL_AWS_LAMBDA_FAST_START",
    ])) == 0
    error_message = "producer_environment_variables must not set QUEUE_URL, WEBHOOK_VERIFICATION, WEBHOOK_SECRET_ARN, WEBHOOK_TOLERANCE_SECONDS, MAX_BODY_BYTES, QUEUE_MAX_MESSAGE_BYTES, OTEL_STRICT, AWS_LAMBDA_EXEC_WRAPPER, OTEL_SERVICE_NAME, OTEL_AWS_APPLICATION_SIGNALS_ENABLED, OTEL_PROPAGATORS, OTEL_METRICS_EXPORTER or OTEL_AWS_LAMBDA_FAST_START: use the module's variables."
  }
}

variable "consumer_environment_variables" {
  description = "Extra environment variables for the consumer. The module's own keys (TABLE_NAME, TRACE_LINK_MODE, MAX_CONCURRENCY, DYNAMODB_MAX_SOCKETS, OTEL_STRICT and the ADOT ones) cannot be overridden; OTEL_TRACES_EXPORTER=xray and OTEL_SDK_DISABLED are refused (tracing_enabled = false is the switch)."
  type        = map(string)
  default     = {}

  validation {
    condition     = upper(trimspace(lookup(var.consumer_environment_variables, "OTEL_TRACES_EXPORTER", ""))) != "XRAY"
    error_message = "OTEL_TRACES_EXPORTER=xray is not allowed: the ADOT layer has no such exporter and the cold start fails."
  }

  validation {
    condition     = !contains(keys(var.consumer_environment_variables), "OTEL_SDK_DISABLED")
    error_message = "consumer_environment_variables must not set OTEL_SDK_DISABLED: it turns the layer's SDK off while the wrapper stays, so traces break silently (and in fast-start mode it is ignored). Set tracing_enabled = false to turn tracing off."
  }

  validation {
    condition = length(setintersection(keys(var.consumer_environment_variables), [
      "TABLE_NAME", "TRACE_LINK_MODE", "MAX_CONCURRENCY", "DYNAMODB_MAX_SOCKETS", "OTEL_STRICT",
      "AWS_LAMBDA_EXEC_WRAPPER", "OTEL_SERVICE_NAME", "OTEL_AWS_APPLICATION_SIGNALS_ENABLED", "OTEL_PROPAGATORS", "OTEL_METRICS_EXPORTER", "OTEL_AWS_LAMBDA_FAST_START",
    ])) == 0
    error_message = "consumer_environment_variables must not set TABLE_NAME, TRACE_LINK_MODE, MAX_CONCURRENCY, DYNAMODB_MAX_SOCKETS, OTEL_STRICT, AWS_LAMBDA_EXEC_WRAPPER, OTEL_SERVICE_NAME, OTEL_AWS_APPLICATION_SIGNALS_ENABLED, OTEL_PROPAGATORS, OTEL_METRICS_EXPORTER or OTEL_AWS_LAMBDA_FAST_START: use the module's variables."
  }
}

variable "consumer_policy_statements" {
  description = "Extra IAM statements (Allow) for the consumer's role, for a consumer of your own (consumer_package_path) that calls other resources, e.g. its own table or a secret. Added to the module's least-privilege policy; each needs a unique sid, named actions and named resources."
  type = list(object({
    sid       = string
    actions   = list(string)
    resources = list(string)
    conditions = optional(list(object({
      test     = string
      variable = string
      values   = list(string)
    })), [])
  }))
  default = []

  validation {
    condition     = alltrue([for s in var.consumer_policy_statements : can(regex("^[A-Za-z0-9]+$", s.sid))])
    error_message = "consumer_policy_statements: each sid must be letters and digits only (IAM's rule)."
  }

  validation {
    condition     = length(distinct([for s in var.consumer_policy_statements : s.sid])) == length(var.consumer_policy_statements) && length(setintersection([for s in var.consumer_policy_statements : s.sid], ["WriteOwnLogGroup", "ConsumeQueue", "WriteEvents", "DecryptQueueMessages", "UseTableKey", "VpcDescribe", "VpcCreateNetworkInterface", "VpcManageNetworkInterface"])) == 0
    error_message = "consumer_policy_statements: sids must be unique and must not reuse the module's own (WriteOwnLogGroup, ConsumeQueue, WriteEvents, DecryptQueueMessages, UseTableKey, Vpc*)."
  }

  validation {
    condition     = alltrue([for s in var.consumer_policy_statements : length(s.actions) > 0 && alltrue([for a in s.actions : a != "*" && !endswith(a, ":*")])])
    error_message = "consumer_policy_statements: each statement needs actions, and none may be a wildcard (\"*\" or \"service:*\")."
  }

  validation {
    condition     = alltrue([for s in var.consumer_policy_statements : length(s.resources) > 0 && !contains(s.resources, "*")])
    error_message = "consumer_policy_statements: each statement must name its resources (no \"*\")."
  }
}

variable "otel_strict" {
  description = "Sets OTEL_STRICT=true on both functions: a missing or mismatched OpenTelemetry SDK then fails the cold start instead of logging a warning."
  type        = bool
  default     = false
}

################################################################################
# Tracing (ADOT)
################################################################################

variable "tracing_enabled" {
  description = "X-Ray active tracing on the functions and the API stage, the ADOT layer, its wrapper environment and the tracing policies. false removes all of them."
  type        = bool
  default     = true
}

variable "application_signals_enabled" {
  description = "CloudWatch Application Signals (OTEL_AWS_APPLICATION_SIGNALS_ENABLED and the CloudWatchLambdaApplicationSignalsExecutionRolePolicy managed policy). Only applies when tracing_enabled is true."
  type        = bool
  default     = true
}

variable "otel_propagators" {
  description = "OTEL_PROPAGATORS of both functions (comma separated). Must include xray (the layer continues API Gateway's and Lambda's X-Ray context through it); for W3C write \"tracecontext,xray\" or \"baggage,tracecontext,xray\". Not xray-lambda: the consumer would extract its own invocation instead of the producer. Ignored by the layer when adot_fast_start is true."
  type        = string
  default     = "xray"

  validation {
    condition     = alltrue([for p in split(",", var.otel_propagators) : contains(["xray", "tracecontext", "baggage", "b3", "b3multi", "jaeger"], trimspace(p))])
    error_message = "otel_propagators must be a comma-separated list of xray, tracecontext, baggage, b3, b3multi, jaeger."
  }

  validation {
    condition     = contains([for p in split(",", var.otel_propagators) : trimspace(p)], "xray")
    error_message = "otel_propagators must include xray: the ADOT layer reads API Gateway's and Lambda's X-Ray header (_X_AMZN_TRACE_ID) through the global propagator, so without xray every producer invocation starts a new trace and X-Ray's sampling decision is ignored. For W3C, write \"tracecontext,xray\" or \"baggage,tracecontext,xray\"."
  }
}

variable "adot_layer_arn" {
  description = "Full ARN (with version) of the ADOT Node.js layer; overrides the per-region default (adot-layer.json: AWS's published layer ARN per region for the ADOT release named there). Required in a region that file has no entry for."
  type        = string
  default     = null

  validation {
    condition     = var.adot_layer_arn == null ? true : can(regex("^arn:aws[a-z-]*:lambda:[a-z0-9-]+:[0-9]{12}:layer:[A-Za-z0-9_-]+:[0-9]+$", var.adot_layer_arn))
    error_message = "adot_layer_arn must be a versioned Lambda layer ARN: arn:<partition>:lambda:<region>:<account>:layer:<name>:<version>."
  }

  validation {
    condition     = !var.tracing_enabled || var.adot_layer_arn != null || contains(keys(local.adot_layer.arns), local.region)
    error_message = "The module has no published ADOT Node.js layer version for this region (adot-layer.json lists AWS's per-region versions for one ADOT release). Set adot_layer_arn to the AWSOpenTelemetryDistroJs ARN of your region (the table on https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch-Application-Signals-Enable-Lambda.html), or tracing_enabled = false."
  }
}

variable "adot_layer_release" {
  description = "ADOT release (x.y.z) of the layer given in adot_layer_arn, which the module cannot read from an ARN: it decides whether adot_fast_start is allowed (lite mode needs 0.13.0 or later). null: unknown, so fast start is refused. The default layer's release is adot-layer.json's."
  type        = string
  default     = null

  validation {
    condition     = var.adot_layer_release == null ? true : can(regex("^[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}$", var.adot_layer_release))
    error_message = "adot_layer_release must be a release like 0.13.0 (major.minor.patch, no leading v)."
  }

  validation {
    condition     = var.adot_layer_release == null || var.adot_layer_arn != null
    error_message = "adot_layer_release declares the release of a layer of your own (adot_layer_arn); the default layer's release is adot-layer.json's."
  }
}

variable "adot_fast_start" {
  description = "Runs the ADOT layer in its fast-start (lite) mode (OTEL_AWS_LAMBDA_FAST_START=true on both functions): a smaller SDK with a shorter cold start that drops span links, ignores OTEL_PROPAGATORS (always baggage, X-Ray, W3C) and OTEL_SDK_DISABLED, and has no sampler. Needs a layer of ADOT release 0.13.0 or later (adot_layer_arn with adot_layer_release; the default layer is 0.12.0). Refused with trace_link_mode = \"link\"."
  type        = bool
  default     = false

  validation {
    condition     = !var.adot_fast_start || !var.tracing_enabled || local.adot_layer_lite_mode
    error_message = "adot_fast_start needs an ADOT layer of release 0.13.0 or later: lite mode (OTEL_AWS_LAMBDA_FAST_START) arrived in distro 0.13, and a 0.12 layer ignores the variable (no faster cold start, nothing said). The default layer is adot-layer.json's release, 0.12.0, the newest AWS publishes per region. Set adot_layer_arn to a 0.13+ layer and declare its release in adot_layer_release, or leave adot_fast_start off."
  }

  validation {
    condition     = !(var.adot_fast_start && var.trace_link_mode == "link")
    error_message = "adot_fast_start cannot be combined with trace_link_mode = \"link\": the layer's fast-start mode drops span links, so each record's span would lose its only connection to the producer's trace. Use trace_link_mode = \"parent\" or adot_fast_start = false."
  }
}

variable "xray_sampling_rule_enabled" {
  description = "Creates an X-Ray sampling rule for this API's stage (POST /webhook, and /webhooks/<source> with webhook_sources; with create_api and tracing_enabled). Without it X-Ray's default rule applies: 1 request a second and 5% of the rest, so in a burst most webhooks get no trace. The functions follow the stage's decision (see README, X-Ray sampling)."
  type        = bool
  default     = true
}

variable "xray_sampling_fixed_rate" {
  description = "Share of webhooks the sampling rule traces once its reservoir is used up: 1 traces every webhook (X-Ray bills $5.00 per million traces recorded); lower costs less and leaves the others without a trace (their spans still carry Sampled=0, where-is links to nothing)."
  type        = number
  default     = 1

  validation {
    condition     = var.xray_sampling_fixed_rate >= 0 && var.xray_sampling_fixed_rate <= 1
    error_message = "xray_sampling_fixed_rate must be between 0 and 1."
  }
}

variable "xray_sampling_reservoir_size" {
  description = "Webhooks the sampling rule traces each second before the fixed rate applies (a floor for a low rate)."
  type        = number
  default     = 1

  validation {
    condition     = var.xray_sampling_reservoir_size >= 0 && floor(var.xray_sampling_reservoir_size) == var.xray_sampling_reservoir_size
    error_message = "xray_sampling_reservoir_size must be a whole number of 0 or more."
  }
}

variable "xray_sampling_rule_priority" {
  description = "Priority of the sampling rule, 1-9999: X-Ray applies the first matching rule in ascending order (the default rule comes last). Lower it if a broader rule of the account's would match this stage first."
  type        = number
  default     = 100

  validation {
    condition     = var.xray_sampling_rule_priority >= 1 && var.xray_sampling_rule_priority <= 9999 && floor(var.xray_sampling_rule_priority) == var.xray_sampling_rule_priority
    error_message = "xray_sampling_rule_priority must be a whole number between 1 and 9999."
  }
}

variable "log_level" {
  description = "Application log level of both functions (Lambda's advanced logging controls: logging_config with JSON format; the functions drop lines below AWS_LAMBDA_LOG_LEVEL). WARN silences the per-record INFO lines."
  type        = string
  default     = "INFO"

  validation {
    condition     = contains(["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"], var.log_level)
    error_message = "log_level must be one of Lambda's application log levels: TRACE, DEBUG, INFO, WARN, ERROR or FATAL."
  }
}

################################################################################
# Webhook (producer)
################################################################################

variable "webhook_verification" {
  description = "How the producer verifies requests to POST /webhook (the source named stripe): \"stripe\" (Stripe-Signature HMAC with the secret) or \"none\" (accept anything; must be asked for explicitly). Other senders: webhook_sources."
  type        = string
  default     = "stripe"

  validation {
    condition     = contains(["stripe", "none"], var.webhook_verification)
    error_message = "webhook_verification must be \"stripe\" or \"none\"."
  }
}

variable "webhook_secret_arn" {
  description = "ARN of an existing Secrets Manager secret holding /webhook's signing secret (whsec_...). null: the module creates an empty secret whose value you set out of band. Each source of webhook_sources has its own (secret_arn)."
  type        = string
  default     = null

  validation {
    condition     = var.webhook_secret_arn == null ? true : can(regex("^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:.+$", var.webhook_secret_arn))
    error_message = "webhook_secret_arn must be a Secrets Manager secret ARN."
  }

  validation {
    condition     = var.webhook_secret_arn == null || var.webhook_verification == "stripe"
    error_message = "webhook_secret_arn is only used with webhook_verification = \"stripe\"; remove it or change the verification."
  }
}

variable "webhook_secret_kms_key_arn" {
  description = "KMS key that encrypts the existing secret given in webhook_secret_arn, when it is a customer managed key (the producer then gets kms:Decrypt on it through Secrets Manager)."
  type        = string
  default     = null

  validation {
    condition     = var.webhook_secret_kms_key_arn == null ? true : can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.webhook_secret_kms_key_arn))
    error_message = "webhook_secret_kms_key_arn must be a KMS key ARN (arn:...:kms:<region>:<account>:key/<id>)."
  }

  validation {
    condition     = var.webhook_secret_kms_key_arn == null || var.webhook_secret_arn != null
    error_message = "webhook_secret_kms_key_arn applies only to an existing secret (webhook_secret_arn); a secret created by the module uses kms_key_arn."
  }
}

variable "webhook_secret_name" {
  description = "Fixed name for the secret the module creates. null (default): a name from the prefix <name>/webhook-signing-secret- with a unique suffix per create, so destroy-then-apply never meets a name still in its recovery window. Set <name>/webhook-signing-secret to keep the secret 0.2.0 created (and its value) on upgrade."
  type        = string
  default     = null

  validation {
    condition     = var.webhook_secret_name == null ? true : can(regex("^[A-Za-z0-9/_+=.@-]{1,512}$", var.webhook_secret_name))
    error_message = "webhook_secret_name must be 1-512 letters, digits or /_+=.@- (Secrets Manager's name characters)."
  }

  validation {
    condition     = var.webhook_secret_name == null || (var.webhook_verification == "stripe" && var.webhook_secret_arn == null)
    error_message = "webhook_secret_name names the secret the module creates: not with webhook_secret_arn or webhook_verification = \"none\"."
  }
}

variable "webhook_secret_recovery_window_in_days" {
  description = "Recovery window of the secret the module creates (0 deletes at once, or 7-30)."
  type        = number
  default     = 30

  validation {
    condition     = var.webhook_secret_recovery_window_in_days == 0 || (var.webhook_secret_recovery_window_in_days >= 7 && var.webhook_secret_recovery_window_in_days <= 30)
    error_message = "webhook_secret_recovery_window_in_days must be 0 or between 7 and 30."
  }
}

variable "webhook_tolerance_seconds" {
  description = "WEBHOOK_TOLERANCE_SECONDS: how old (or how far in the future) a signature timestamp may be."
  type        = number
  default     = 300

  validation {
    condition     = var.webhook_tolerance_seconds >= 1 && var.webhook_tolerance_seconds <= 86400 && floor(var.webhook_tolerance_seconds) == var.webhook_tolerance_seconds
    error_message = "webhook_tolerance_seconds must be a whole number between 1 and 86400."
  }
}

variable "webhook_sources" {
  description = "Webhook senders served beside /webhook, each on its own route POST /webhooks/<source> (the map's key: 1-32 lower-case letters, digits, - or _). scheme: stripe, github, standard-webhooks, shopify or slack. secret_arn: an existing Secrets Manager secret holding the signing secret in the scheme's format (see README, Webhook senders); null: the module creates one per source (name prefix <name>/<source>/webhook-signing-secret-, no value: set it out of band). secret_kms_key_arn: the customer managed key of that existing secret. tolerance_seconds: how far a signed timestamp may be from now, either way (stripe, standard-webhooks and slack only; default 300). Their events are stored under <source>#<id>. At most 10 (their secrets' ARNs go into the producer's environment, which Lambda caps at 4 KB)."
  type = map(object({
    scheme             = string
    secret_arn         = optional(string)
    secret_kms_key_arn = optional(string)
    tolerance_seconds  = optional(number)
  }))
  default = {}

  validation {
    condition     = alltrue([for source in keys(var.webhook_sources) : can(regex("^[a-z0-9][a-z0-9_-]{0,31}$", source))])
    error_message = "Each webhook_sources key must be 1-32 lower-case letters, digits, - or _, starting with a letter or digit (it is a path segment, a metric dimension and the prefix of its events' keys)."
  }

  validation {
    condition     = alltrue([for source in values(var.webhook_sources) : contains(["stripe", "github", "standard-webhooks", "shopify", "slack"], source.scheme)])
    error_message = "Each webhook_sources scheme must be stripe, github, standard-webhooks, shopify or slack."
  }

  validation {
    condition     = alltrue([for source in values(var.webhook_sources) : source.tolerance_seconds == null || contains(["stripe", "standard-webhooks", "slack"], source.scheme)])
    error_message = "tolerance_seconds applies only to the schemes that sign a timestamp (stripe, standard-webhooks, slack); github and shopify rest on the stored event id instead."
  }

  validation {
    condition     = alltrue([for source in values(var.webhook_sources) : source.tolerance_seconds == null ? true : source.tolerance_seconds >= 1 && source.tolerance_seconds <= 86400 && floor(source.tolerance_seconds) == source.tolerance_seconds])
    error_message = "Each webhook_sources tolerance_seconds must be a whole number between 1 and 86400."
  }

  validation {
    condition     = alltrue([for source in values(var.webhook_sources) : source.secret_arn == null ? true : can(regex("^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:.+$", source.secret_arn))])
    error_message = "Each webhook_sources secret_arn must be a Secrets Manager secret ARN."
  }

  validation {
    condition     = alltrue([for source in values(var.webhook_sources) : source.secret_kms_key_arn == null ? true : source.secret_arn != null && can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", source.secret_kms_key_arn))])
    error_message = "secret_kms_key_arn must be a KMS key ARN, and applies only to an existing secret (secret_arn); a secret the module creates uses kms_key_arn."
  }

  validation {
    condition     = length(var.webhook_sources) <= 10
    error_message = "At most 10 webhook_sources: each one's secret ARN goes into the producer's environment, which Lambda caps at 4 KB."
  }

  validation {
    condition     = !(var.webhook_default_source_enabled && contains(keys(var.webhook_sources), "stripe"))
    error_message = "\"stripe\" names the /webhook source (webhook_verification, webhook_secret_arn, ...): give this one another name (e.g. stripe-eu), or set webhook_default_source_enabled = false."
  }

  validation {
    condition     = var.webhook_default_source_enabled || length(var.webhook_sources) > 0
    error_message = "With webhook_default_source_enabled = false, webhook_sources must name at least one source: the producer would accept nothing."
  }
}

variable "webhook_default_source_enabled" {
  description = "Serves POST /webhook with the source the webhook_verification, webhook_secret_* and webhook_tolerance_seconds variables describe, named stripe, whose events are stored under their bare ids (as before webhook_sources existed). false: only webhook_sources are served (at least one), /webhook answers 404 and no secret is created for it."
  type        = bool
  default     = true

  validation {
    condition     = var.webhook_default_source_enabled || (var.webhook_secret_arn == null && var.webhook_secret_kms_key_arn == null && var.webhook_secret_name == null)
    error_message = "webhook_secret_arn, webhook_secret_kms_key_arn and webhook_secret_name configure the /webhook source: remove them with webhook_default_source_enabled = false (each source of webhook_sources has its own secret_arn)."
  }

}

variable "max_body_bytes" {
  description = "MAX_BODY_BYTES: largest request body the producer accepts (larger ones are answered 413). Must leave 16 KiB for the message attributes (and escaping) within queue_max_message_size: the default 245760 is 256 KiB less 16 KiB."
  type        = number
  default     = 245760
  nullable    = false

  validation {
    condition     = var.max_body_bytes >= 1 && floor(var.max_body_bytes) == var.max_body_bytes
    error_message = "max_body_bytes must be a positive whole number."
  }

  validation {
    condition     = var.max_body_bytes + 16384 <= var.queue_max_message_size
    error_message = "max_body_bytes plus 16384 bytes for the message attributes (and escaping) must fit queue_max_message_size (default 262144, so at most 245760): otherwise SQS refuses a body near the limit, the producer answers 502 and the sender retries until it gives up. Lower max_body_bytes, or raise queue_max_message_size (above 262144 needs AWS provider 6.x)."
  }
}

################################################################################
# Queue
################################################################################

variable "queue_visibility_timeout_seconds" {
  description = "Visibility timeout of the queue; null uses 6x consumer_timeout (AWS's advice for Lambda). A smaller value is refused."
  type        = number
  default     = null

  validation {
    condition     = var.queue_visibility_timeout_seconds == null ? true : var.queue_visibility_timeout_seconds >= 6 * var.consumer_timeout && var.queue_visibility_timeout_seconds <= 43200
    error_message = "queue_visibility_timeout_seconds must be at least 6x consumer_timeout (and at most 43200), or messages are redelivered while the consumer still works on them."
  }
}

variable "queue_message_retention_seconds" {
  description = "How long the queue keeps a message."
  type        = number
  default     = 345600

  validation {
    condition     = var.queue_message_retention_seconds >= 60 && var.queue_message_retention_seconds <= 1209600
    error_message = "queue_message_retention_seconds must be between 60 and 1209600."
  }
}

variable "dlq_message_retention_seconds" {
  description = "How long the dead-letter queue keeps a message (default 14 days, the maximum)."
  type        = number
  default     = 1209600

  validation {
    condition     = var.dlq_message_retention_seconds >= 60 && var.dlq_message_retention_seconds <= 1209600
    error_message = "dlq_message_retention_seconds must be between 60 and 1209600."
  }
}

variable "queue_max_message_size" {
  description = "Maximum message size of both queues in bytes, always sent to SQS (the producer gets it as QUEUE_MAX_MESSAGE_BYTES and answers 413 for what cannot fit). Default 262144 (256 KiB): AWS provider 5.100 accepts at most that (and, left unset, deploys that anyway); SQS itself takes up to 1048576 since 2026, which provider 6.x accepts in a release after its PR #43710."
  type        = number
  default     = 262144
  nullable    = false

  validation {
    condition     = var.queue_max_message_size >= 1024 && var.queue_max_message_size <= 1048576 && floor(var.queue_max_message_size) == var.queue_max_message_size
    error_message = "queue_max_message_size must be a whole number between 1024 and 1048576 (above 262144 needs AWS provider 6.x)."
  }
}

variable "max_receive_count" {
  description = "Receives before a message moves to the dead-letter queue."
  type        = number
  default     = 3

  validation {
    condition     = var.max_receive_count >= 1 && var.max_receive_count <= 1000
    error_message = "max_receive_count must be between 1 and 1000."
  }
}

variable "create_dlq_redrive_allow_policy" {
  description = "Creates the DLQ's redrive-allow policy (only this pipeline's queue may use it). Turn off only for emulators that do not store it (moto 5.2)."
  type        = bool
  default     = true
}

################################################################################
# Event source mapping (queue -> consumer)
################################################################################

variable "batch_size" {
  description = "Records per consumer invocation."
  type        = number
  default     = 10

  validation {
    condition     = var.batch_size >= 1 && var.batch_size <= 10000
    error_message = "batch_size must be between 1 and 10000."
  }

  validation {
    condition     = var.batch_size <= 10 || var.maximum_batching_window_in_seconds >= 1
    error_message = "A batch_size above 10 needs maximum_batching_window_in_seconds of at least 1."
  }
}

variable "maximum_batching_window_in_seconds" {
  description = "How long Lambda gathers records before invoking the consumer."
  type        = number
  default     = 5

  validation {
    condition     = var.maximum_batching_window_in_seconds >= 0 && var.maximum_batching_window_in_seconds <= 300
    error_message = "maximum_batching_window_in_seconds must be between 0 and 300."
  }
}

variable "event_source_mapping_enabled" {
  description = "Whether the queue's event source mapping delivers to the consumer. false pauses consumption (messages wait in the queue) without destroying anything."
  type        = bool
  default     = true
}

variable "event_source_maximum_concurrency" {
  description = "Most concurrent consumer invocations the queue may drive (scaling_config.maximum_concurrency); null: no limit."
  type        = number
  default     = null

  validation {
    condition     = var.event_source_maximum_concurrency == null ? true : var.event_source_maximum_concurrency >= 2 && var.event_source_maximum_concurrency <= 1000
    error_message = "event_source_maximum_concurrency must be between 2 and 1000, or null."
  }
}

variable "event_source_filter_patterns" {
  description = "Lambda event filter patterns (JSON strings) for the mapping; records that match none are deleted without invoking the consumer. Empty: no filter."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for p in var.event_source_filter_patterns : can(keys(jsondecode(p)))])
    error_message = "Each event_source_filter_patterns entry must be a JSON object."
  }

  validation {
    condition     = length(var.event_source_filter_patterns) <= 10
    error_message = "At most 10 filter patterns."
  }
}

################################################################################
# Consumer settings
################################################################################

variable "trace_link_mode" {
  description = "TRACE_LINK_MODE of the consumer: \"parent\" (each record's span is a child of the producer's) or \"link\" (a new trace linked to it)."
  type        = string
  default     = "parent"

  validation {
    condition     = contains(["parent", "link"], var.trace_link_mode)
    error_message = "trace_link_mode must be \"parent\" or \"link\"."
  }
}

variable "consumer_max_concurrency" {
  description = "MAX_CONCURRENCY of the consumer: a cap on the records of one batch processed at once. null: follow consumer_dynamodb_max_sockets (and the batch). Must not exceed consumer_dynamodb_max_sockets."
  type        = number
  default     = null

  validation {
    condition     = var.consumer_max_concurrency == null ? true : var.consumer_max_concurrency >= 1 && var.consumer_max_concurrency <= 1000 && floor(var.consumer_max_concurrency) == var.consumer_max_concurrency
    error_message = "consumer_max_concurrency must be a whole number between 1 and 1000, or null."
  }

  validation {
    condition     = var.consumer_max_concurrency == null ? true : var.consumer_max_concurrency <= var.consumer_dynamodb_max_sockets
    error_message = "consumer_max_concurrency must not exceed consumer_dynamodb_max_sockets: the extra records would only wait for a socket."
  }
}

variable "consumer_dynamodb_max_sockets" {
  description = "DYNAMODB_MAX_SOCKETS of the consumer: connections its DynamoDB client may open at once (the AWS SDK's default is 50). The records processed at once follow it unless consumer_max_concurrency caps them."
  type        = number
  default     = 128

  validation {
    condition     = var.consumer_dynamodb_max_sockets >= 1 && var.consumer_dynamodb_max_sockets <= 1000 && floor(var.consumer_dynamodb_max_sockets) == var.consumer_dynamodb_max_sockets
    error_message = "consumer_dynamodb_max_sockets must be a whole number between 1 and 1000."
  }
}

################################################################################
# Table
################################################################################

variable "existing_table_name" {
  description = "Name of an existing DynamoDB table (hash key eventId, type S) in this account and region; null creates one."
  type        = string
  default     = null

  validation {
    condition     = var.existing_table_name == null ? true : can(regex("^[A-Za-z0-9_.-]{3,255}$", var.existing_table_name))
    error_message = "existing_table_name must be a DynamoDB table name (3-255 letters, digits, _ . -)."
  }
}

variable "existing_table_kms_key_arn" {
  description = "Customer managed KMS key that encrypts the existing table given in existing_table_name (DynamoDB uses it on behalf of the consumer, which then gets kms:Decrypt and kms:DescribeKey on it through DynamoDB only). null: the table uses an AWS owned or AWS managed key, which needs no grant."
  type        = string
  default     = null

  validation {
    condition     = var.existing_table_kms_key_arn == null ? true : can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.existing_table_kms_key_arn))
    error_message = "existing_table_kms_key_arn must be a KMS key ARN (arn:...:kms:<region>:<account>:key/<id>); an alias is not enough for IAM policies."
  }

  validation {
    condition     = var.existing_table_kms_key_arn == null || var.existing_table_name != null
    error_message = "existing_table_kms_key_arn applies only to an existing table (existing_table_name); a table created by the module uses kms_key_arn."
  }
}

variable "table_deletion_protection_enabled" {
  description = "Deletion protection of the table the module creates."
  type        = bool
  default     = true
}

variable "table_ttl_attribute_name" {
  description = "TTL attribute of the table the module creates; null: no TTL."
  type        = string
  default     = null

  validation {
    condition     = var.table_ttl_attribute_name == null ? true : length(var.table_ttl_attribute_name) > 0 && var.table_ttl_attribute_name != "eventId"
    error_message = "table_ttl_attribute_name must be a non-empty attribute name other than the key, eventId."
  }
}

################################################################################
# Encryption
################################################################################

variable "kms_key_arn" {
  description = "Customer managed KMS key for the queues, the table and the secret the module creates. null: SQS-managed encryption, DynamoDB's AWS owned key and Secrets Manager's aws/secretsmanager key. The functions get exactly the KMS permissions they need on it, each only through the service that uses it (kms:ViaService): the producer to send to the queue and read the secret, the consumer to receive from the queue and write the table. An existing table's key is existing_table_kms_key_arn."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null ? true : can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN (arn:...:kms:<region>:<account>:key/<id>); an alias is not enough for IAM policies."
  }
}

variable "cloudwatch_logs_kms_key_arn" {
  description = "KMS key for the log groups (both functions and the API access logs). Its key policy must allow the logs.<region>.amazonaws.com service principal. null: CloudWatch Logs' own encryption."
  type        = string
  default     = null

  validation {
    condition     = var.cloudwatch_logs_kms_key_arn == null ? true : can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.cloudwatch_logs_kms_key_arn))
    error_message = "cloudwatch_logs_kms_key_arn must be a KMS key ARN."
  }
}

variable "cloudwatch_log_retention_in_days" {
  description = "Retention of every log group the module creates."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.cloudwatch_log_retention_in_days)
    error_message = "cloudwatch_log_retention_in_days must be a value CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)."
  }
}

################################################################################
# Network and IAM
################################################################################

variable "vpc_subnet_ids" {
  description = "Subnets for both functions; empty runs them outside a VPC. The subnets need a route to SQS, DynamoDB, Secrets Manager and X-Ray (VPC endpoints or NAT)."
  type        = list(string)
  default     = []
}

variable "vpc_security_group_ids" {
  description = "Security groups for both functions when they run in a VPC."
  type        = list(string)
  default     = []

  validation {
    condition     = (length(var.vpc_subnet_ids) == 0) == (length(var.vpc_security_group_ids) == 0)
    error_message = "vpc_subnet_ids and vpc_security_group_ids must be given together."
  }
}

variable "iam_role_path" {
  description = "Path of every IAM role the module creates."
  type        = string
  default     = "/"

  validation {
    condition     = can(regex("^/([A-Za-z0-9+=,.@_-]+/)*$", var.iam_role_path))
    error_message = "iam_role_path must start and end with / (for example /service/)."
  }
}

variable "iam_role_names" {
  description = "Names of the functions' IAM roles, to override the defaults <name>-producer-<region> and <name>-consumer-<region> (IAM role names are global to the account: a name given here must differ per region). Keeps 0.2.0's names on upgrade: { producer = \"<name>-producer\", consumer = \"<name>-consumer\" }."
  type = object({
    producer = optional(string)
    consumer = optional(string)
  })
  default  = {}
  nullable = false

  validation {
    condition     = alltrue([for role_name in values(var.iam_role_names) : role_name == null ? true : can(regex("^[A-Za-z0-9+=,.@_-]{1,64}$", role_name))])
    error_message = "iam_role_names: each name must be 1-64 characters: letters, digits and +=,.@_-."
  }
}

variable "iam_permissions_boundary_arn" {
  description = "Permissions boundary for every IAM role the module creates."
  type        = string
  default     = null

  validation {
    condition     = var.iam_permissions_boundary_arn == null ? true : can(regex("^arn:aws[a-z-]*:iam::([0-9]{12}|aws):policy/.+$", var.iam_permissions_boundary_arn))
    error_message = "iam_permissions_boundary_arn must be an IAM policy ARN."
  }
}

################################################################################
# API
################################################################################

variable "create_api" {
  description = "Creates the REST API with POST /webhook (and POST /webhooks/{source} with webhook_sources). false: wire the producer (outputs producer_function_name, producer_function_arn, producer_invoke_arn) into an API you already have; for sources, a route that passes the source as the path parameter source."
  type        = bool
  default     = true
}

variable "api_stage_name" {
  description = "Stage of the REST API."
  type        = string
  default     = "v1"

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,128}$", var.api_stage_name))
    error_message = "api_stage_name must be 1-128 letters, digits, hyphens or underscores."
  }

  validation {
    condition     = !(var.create_api && var.tracing_enabled && var.xray_sampling_rule_enabled) || length("${var.name}/${var.api_stage_name}") <= 64
    error_message = "The stage's X-Ray service name, <name>/<api_stage_name>, must fit the 64 characters an X-Ray sampling rule matches: shorten api_stage_name (or set xray_sampling_rule_enabled = false)."
  }
}

variable "api_endpoint_type" {
  description = "Endpoint type of the REST API: REGIONAL or EDGE."
  type        = string
  default     = "REGIONAL"

  validation {
    condition     = contains(["REGIONAL", "EDGE"], var.api_endpoint_type)
    error_message = "api_endpoint_type must be REGIONAL or EDGE."
  }
}

variable "api_throttling_rate_limit" {
  description = "Steady-state requests per second allowed on the API's methods."
  type        = number
  default     = 100

  validation {
    condition     = var.api_throttling_rate_limit > 0
    error_message = "api_throttling_rate_limit must be positive."
  }
}

variable "api_throttling_burst_limit" {
  description = "Burst of requests allowed on the API's methods."
  type        = number
  default     = 200

  validation {
    condition     = var.api_throttling_burst_limit > 0 && floor(var.api_throttling_burst_limit) == var.api_throttling_burst_limit
    error_message = "api_throttling_burst_limit must be a positive whole number."
  }
}

variable "api_access_logging_enabled" {
  description = "Access logs of the API stage to a log group. Off by default, so that a fresh account needs no account-level setting: API Gateway writes them only with the account's CloudWatch role for the region (aws_api_gateway_account), and creating the stage fails where it was never set (\"CloudWatch Logs role ARN must be set in account settings\"). Before turning this on, set that role once per account and region (modules/account-setup with create_api_gateway_cloudwatch_role, create_api_gateway_account_role here, or aws apigateway update-account). AWS provider 5.100 has no data source that could check it at plan time."
  type        = bool
  default     = false
}

variable "api_execution_logging_level" {
  description = "Execution logging level of the API stage: OFF, ERROR or INFO. Anything but OFF needs the account's API Gateway CloudWatch role for the region, like api_access_logging_enabled."
  type        = string
  default     = "OFF"

  validation {
    condition     = contains(["OFF", "ERROR", "INFO"], var.api_execution_logging_level)
    error_message = "api_execution_logging_level must be OFF, ERROR or INFO."
  }
}

variable "create_api_gateway_account_role" {
  description = "Creates the CloudWatch role API Gateway needs for logs (api-gateway-cloudwatch-logs-<region>) and sets it on the account (aws_api_gateway_account, through modules/account-setup): one setting per account and region, shared by every API. Leave false where another stack or the console already set it; prefer applying modules/account-setup once per account and region. Destroying it resets the setting for every API in the region on AWS provider 6.x, and leaves it naming the deleted role on 5.x."
  type        = bool
  default     = false
}

################################################################################
# Alarms
################################################################################

variable "create_alarms" {
  description = "Creates the alarms: messages in the DLQ, consumer errors, age of the oldest message over a threshold."
  type        = bool
  default     = true
}

variable "alarm_actions" {
  description = "ARNs (SNS topics, ...) notified when an alarm fires or recovers."
  type        = list(string)
  default     = []
}

variable "oldest_message_age_alarm_threshold_seconds" {
  description = "The oldest-message alarm fires when a message has waited longer than this."
  type        = number
  default     = 300

  validation {
    condition     = var.oldest_message_age_alarm_threshold_seconds >= 1
    error_message = "oldest_message_age_alarm_threshold_seconds must be at least 1."
  }
}

variable "create_dashboard" {
  description = "Creates a CloudWatch dashboard for the pipeline: API traffic, errors and latency, the functions' errors, throttles and duration, queue and DLQ depth, age of the oldest message, DynamoDB throttles, and how to find one event (where-is)."
  type        = bool
  default     = true
}

################################################################################
# Fan-out (an SNS topic between the producer and several consumers)
################################################################################

variable "fan_out" {
  description = "Fan-out: the producer publishes each verified webhook to an SNS topic (<name>, X-Ray active tracing, encrypted with kms_key_arn, else SNS's AWS managed key) instead of sending it to the queue, and every consumer's queue subscribes to it. own_consumer is the module's own consumer (the consumer_* inputs, its queue, DLQ and table) as one subscriber, under a name of its choosing; each entry of consumers is another, with its own queue <name>-<key> and DLQ, alarms, event source mapping (ReportBatchItemFailures), function <name>-<key> and role holding only its own permissions: the built-in store with its own table <name>-<key>-events, or your package (package_path, on the tracing library) with its own environment_variables and policy_statements. Per subscriber: raw_message_delivery (true: the message as the body, its attributes as SQS message attributes; false: SNS's JSON envelope, which the tracing library unwraps), event_types (a filter policy on the event type: exact types or a prefix ending in *, e.g. \"invoice.*\"; empty: every type) and sources (a filter policy on the source the webhook came in on: stripe for /webhook, the keys of webhook_sources; empty: every source); with both, an event must match both. With the topic on, SNS's limits are the producer's: 256 KiB per message (max_body_bytes at most 245760) and 10 message attributes (the trace fields share them with the body encoding, webhook-source and webhook-event-type the filters read), and the envelope must fit the queue. null (default): the single queue."
  type = object({
    own_consumer = optional(object({
      name                 = optional(string, "store")
      raw_message_delivery = optional(bool, true)
      event_types          = optional(list(string), [])
      sources              = optional(list(string), [])
    }), {})
    consumers = optional(map(object({
      raw_message_delivery               = optional(bool, true)
      event_types                        = optional(list(string), [])
      sources                            = optional(list(string), [])
      package_path                       = optional(string)
      environment_variables              = optional(map(string), {})
      memory_size                        = optional(number)
      timeout                            = optional(number)
      batch_size                         = optional(number)
      maximum_batching_window_in_seconds = optional(number)
      policy_statements = optional(list(object({
        sid       = string
        actions   = list(string)
        resources = list(string)
        conditions = optional(list(object({
          test     = string
          variable = string
          values   = list(string)
        })), [])
      })), [])
    })), {})
  })
  default = null

  validation {
    condition     = var.fan_out == null ? true : alltrue([for name in concat([var.fan_out.own_consumer.name], keys(var.fan_out.consumers)) : can(regex("^[a-z][a-z0-9-]{0,19}$", name)) && !contains(["producer", "consumer"], name)])
    error_message = "fan_out: each consumer's name (the keys of consumers, and own_consumer.name) must be 1-20 lower-case letters, digits or hyphens, starting with a letter, and not producer or consumer (it names the function <name>-<consumer>, its queue and role)."
  }

  validation {
    condition     = var.fan_out == null ? true : !contains(keys(var.fan_out.consumers), var.fan_out.own_consumer.name)
    error_message = "fan_out: own_consumer.name must differ from every key of consumers (each names one subscriber)."
  }

  validation {
    condition     = var.fan_out == null ? true : alltrue([for types in concat([var.fan_out.own_consumer.event_types], [for c in values(var.fan_out.consumers) : c.event_types]) : length(types) <= 100 && alltrue([for t in types : can(regex("^[^*]+[*]?$", t))])])
    error_message = "fan_out: event_types are exact event types or a prefix ending in * (\"invoice.*\"), at most 100 per consumer; * alone, or anywhere but at the end, is not a filter."
  }

  validation {
    condition = var.fan_out == null ? true : alltrue([for c in concat([var.fan_out.own_consumer], values(var.fan_out.consumers)) : (
      length(distinct(c.sources)) == length(c.sources) &&
      alltrue([for source in c.sources : contains(concat(var.webhook_default_source_enabled ? ["stripe"] : [], keys(var.webhook_sources)), source)]) &&
      max(length(c.event_types), 1) * max(length(c.sources), 1) <= 150
    )])
    error_message = "fan_out: a consumer's sources must each be a source the producer serves (stripe for /webhook unless webhook_default_source_enabled is false, or a key of webhook_sources), each once; and SNS allows a filter at most 150 combinations (event_types times sources)."
  }

  validation {
    condition     = var.fan_out == null ? true : var.max_body_bytes + 16384 <= 262144
    error_message = "fan_out: SNS takes at most 256 KiB per message, so max_body_bytes plus the 16384 bytes kept for message attributes must fit 262144 (max_body_bytes at most 245760)."
  }

  validation {
    condition = var.fan_out == null ? true : alltrue([for c in values(var.fan_out.consumers) : (
      (c.memory_size == null ? true : c.memory_size >= 128 && c.memory_size <= 10240) &&
      (c.timeout == null ? true : c.timeout >= 1 && c.timeout <= 900) &&
      (c.batch_size == null ? true : c.batch_size >= 1 && c.batch_size <= 10000) &&
      (c.maximum_batching_window_in_seconds == null ? true : c.maximum_batching_window_in_seconds >= 0 && c.maximum_batching_window_in_seconds <= 300) &&
      (coalesce(c.batch_size, var.batch_size) <= 10 || coalesce(c.maximum_batching_window_in_seconds, var.maximum_batching_window_in_seconds) >= 1)
    )])
    error_message = "fan_out: a consumer's memory_size must be 128-10240 MB, timeout 1-900 s, batch_size 1-10000 and maximum_batching_window_in_seconds 0-300; a batch over 10 needs a window of at least 1 s (Lambda's rule)."
  }

  validation {
    condition     = var.fan_out == null || var.queue_visibility_timeout_seconds == null ? true : alltrue([for c in values(var.fan_out.consumers) : var.queue_visibility_timeout_seconds >= 6 * coalesce(c.timeout, var.consumer_timeout)])
    error_message = "fan_out: queue_visibility_timeout_seconds applies to every consumer's queue and must be at least 6x each consumer's timeout."
  }

  validation {
    condition     = var.fan_out == null ? true : alltrue([for c in values(var.fan_out.consumers) : c.package_path == null ? true : fileexists(c.package_path)])
    error_message = "fan_out: a consumer's package_path must name a zip that exists (null runs the built-in store, dist/consumer.zip)."
  }

  validation {
    condition = var.fan_out == null ? true : alltrue([for c in values(var.fan_out.consumers) : (
      length(distinct([for s in c.policy_statements : s.sid])) == length(c.policy_statements) &&
      alltrue([for s in c.policy_statements : can(regex("^[A-Za-z0-9]+$", s.sid)) && !contains(["WriteOwnLogGroup", "ConsumeQueue", "WriteEvents", "DecryptQueueMessages", "UseTableKey", "VpcDescribe", "VpcCreateNetworkInterface", "VpcManageNetworkInterface"], s.sid)]) &&
      alltrue([for s in c.policy_statements : length(s.actions) > 0 && alltrue([for a in s.actions : a != "*" && !endswith(a, ":*")]) && length(s.resources) > 0 && !contains(s.resources, "*")])
    )])
    error_message = "fan_out: a consumer's policy_statements need unique sids of letters and digits, not the module's own (WriteOwnLogGroup, ConsumeQueue, WriteEvents, DecryptQueueMessages, UseTableKey, Vpc*), named actions (no \"*\" or \"service:*\") and named resources (no \"*\")."
  }
}
