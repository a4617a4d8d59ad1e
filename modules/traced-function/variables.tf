variable "function_name" {
  description = "Name of the Lambda function; also names its log group (/aws/lambda/<function_name>) and, unless role_name is given, its IAM role (<function_name>-<region>)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,64}$", var.function_name))
    error_message = "function_name must be 1-64 letters, digits, hyphens or underscores."
  }
}

variable "description" {
  description = "Description of the Lambda function."
  type        = string
  default     = ""
}

variable "package_path" {
  description = "Path to the deployment zip (index.js at its root). Its hash becomes source_code_hash."
  type        = string

  validation {
    condition     = fileexists(var.package_path)
    error_message = "The Lambda package was not found at the given path. Run `make build` to produce dist/producer.zip and dist/consumer.zip, or pass the path of your own zip."
  }
}

variable "handler" {
  description = "Function entry point in the package."
  type        = string
  default     = "index.handler"
}

variable "runtime" {
  description = "Lambda runtime. nodejs24.x needs an AWS provider release that knows it (5.100 does not)."
  type        = string
  default     = "nodejs22.x"

  validation {
    condition     = contains(["nodejs20.x", "nodejs22.x", "nodejs24.x"], var.runtime)
    error_message = "runtime must be nodejs20.x, nodejs22.x or nodejs24.x."
  }
}

variable "architectures" {
  description = "Instruction set of the function: [\"arm64\"] or [\"x86_64\"]. The ADOT layer serves both."
  type        = list(string)
  default     = ["arm64"]

  validation {
    condition     = length(var.architectures) == 1 && alltrue([for a in var.architectures : contains(["arm64", "x86_64"], a)])
    error_message = "architectures must be exactly one of \"arm64\" or \"x86_64\"."
  }
}

variable "memory_size" {
  description = "Memory in MB (128-10240)."
  type        = number
  default     = 512

  validation {
    condition     = var.memory_size >= 128 && var.memory_size <= 10240 && floor(var.memory_size) == var.memory_size
    error_message = "memory_size must be a whole number between 128 and 10240."
  }
}

variable "timeout" {
  description = "Timeout in seconds (1-900)."
  type        = number
  default     = 30

  validation {
    condition     = var.timeout >= 1 && var.timeout <= 900 && floor(var.timeout) == var.timeout
    error_message = "timeout must be a whole number of seconds between 1 and 900."
  }
}

variable "reserved_concurrent_executions" {
  description = "Reserved concurrency for the function; null leaves it unreserved."
  type        = number
  default     = null

  validation {
    condition     = var.reserved_concurrent_executions == null ? true : var.reserved_concurrent_executions >= 0
    error_message = "reserved_concurrent_executions must be 0 or more (or null)."
  }
}

variable "environment_variables" {
  description = "The function's own environment variables. The ADOT variables are added by this module when tracing is on and must not be given here."
  type        = map(string)
  default     = {}

  validation {
    condition     = upper(trimspace(lookup(var.environment_variables, "OTEL_TRACES_EXPORTER", ""))) != "XRAY"
    error_message = "OTEL_TRACES_EXPORTER=xray is not allowed: the ADOT layer has no such exporter and the cold start fails."
  }

  validation {
    condition     = length(setintersection(keys(var.environment_variables), ["AWS_LAMBDA_EXEC_WRAPPER", "OTEL_SERVICE_NAME", "OTEL_AWS_APPLICATION_SIGNALS_ENABLED", "OTEL_PROPAGATORS", "OTEL_METRICS_EXPORTER"])) == 0
    error_message = "AWS_LAMBDA_EXEC_WRAPPER, OTEL_SERVICE_NAME, OTEL_AWS_APPLICATION_SIGNALS_ENABLED, OTEL_PROPAGATORS and OTEL_METRICS_EXPORTER are set by this module."
  }
}

variable "tracing_enabled" {
  description = "Turns on X-Ray active tracing, the ADOT layer, its wrapper environment and the tracing policies. false removes all of them."
  type        = bool
  default     = true
}

variable "adot_layer_arn" {
  description = "ARN (with version) of the ADOT Node.js layer. Required when tracing_enabled is true."
  type        = string
  default     = null

  validation {
    condition     = var.adot_layer_arn == null ? true : can(regex("^arn:aws[a-z-]*:lambda:[a-z0-9-]+:[0-9]{12}:layer:[A-Za-z0-9_-]+:[0-9]+$", var.adot_layer_arn))
    error_message = "adot_layer_arn must be a versioned Lambda layer ARN (arn:<partition>:lambda:<region>:<account>:layer:<name>:<version>)."
  }

  validation {
    condition     = !var.tracing_enabled || var.adot_layer_arn != null
    error_message = "adot_layer_arn is required when tracing_enabled is true."
  }
}

variable "application_signals_enabled" {
  description = "Sets OTEL_AWS_APPLICATION_SIGNALS_ENABLED and attaches CloudWatchLambdaApplicationSignalsExecutionRolePolicy (only when tracing is on)."
  type        = bool
  default     = true
}

variable "otel_service_name" {
  description = "OTEL_SERVICE_NAME of the function; null uses the function name."
  type        = string
  default     = null
}

variable "otel_propagators" {
  description = "OTEL_PROPAGATORS for the ADOT wrapper (comma separated)."
  type        = string
  default     = "xray"

  validation {
    condition     = alltrue([for p in split(",", var.otel_propagators) : contains(["xray", "tracecontext", "baggage", "b3", "b3multi", "jaeger"], trimspace(p))])
    error_message = "otel_propagators must be a comma-separated list of xray, tracecontext, baggage, b3, b3multi, jaeger (not xray-lambda: a consumer would extract its own invocation)."
  }
}

variable "adot_fast_start" {
  description = "Sets OTEL_AWS_LAMBDA_FAST_START=true (the layer's lite SDK) when tracing is on."
  type        = bool
  default     = false
}

variable "log_level" {
  description = "Application log level (logging_config.application_log_level; Lambda exposes it as AWS_LAMBDA_LOG_LEVEL)."
  type        = string
  default     = "INFO"

  validation {
    condition     = contains(["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"], var.log_level)
    error_message = "log_level must be TRACE, DEBUG, INFO, WARN, ERROR or FATAL."
  }
}

variable "policy_statements" {
  description = "The function's own IAM statements (Allow). Logs, VPC and tracing permissions are added by this module."
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
    condition     = alltrue([for s in var.policy_statements : !contains(s.actions, "*") && !anytrue([for a in s.actions : endswith(a, ":*")])])
    error_message = "policy_statements must not grant wildcard actions."
  }

  validation {
    condition     = alltrue([for s in var.policy_statements : !contains(s.resources, "*") && length(s.resources) > 0])
    error_message = "policy_statements must name their resources (no \"*\")."
  }
}

variable "log_retention_in_days" {
  description = "Retention of the function's log group."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_in_days)
    error_message = "log_retention_in_days must be a value CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)."
  }
}

variable "log_kms_key_arn" {
  description = "KMS key ARN to encrypt the log group; its key policy must allow the CloudWatch Logs service. null: CloudWatch Logs' own encryption."
  type        = string
  default     = null
}

variable "vpc_subnet_ids" {
  description = "Subnets to run the function in; empty runs it outside a VPC."
  type        = list(string)
  default     = []
}

variable "vpc_security_group_ids" {
  description = "Security groups of the function when it runs in a VPC."
  type        = list(string)
  default     = []

  validation {
    condition     = (length(var.vpc_subnet_ids) == 0) == (length(var.vpc_security_group_ids) == 0)
    error_message = "vpc_subnet_ids and vpc_security_group_ids must be given together."
  }
}

variable "role_name" {
  description = "Name of the function's IAM role. IAM role names are global to the account, so a name must differ per region; null: <function_name>-<region> (which must then fit IAM's 64 characters)."
  type        = string
  default     = null

  validation {
    condition     = var.role_name == null ? true : can(regex("^[A-Za-z0-9+=,.@_-]{1,64}$", var.role_name))
    error_message = "role_name must be 1-64 characters: letters, digits and +=,.@_-."
  }
}

variable "iam_role_path" {
  description = "Path of the function's IAM role."
  type        = string
  default     = "/"
}

variable "iam_permissions_boundary_arn" {
  description = "Permissions boundary of the function's IAM role."
  type        = string
  default     = null
}

variable "partition" {
  description = "AWS partition (aws, aws-cn, aws-us-gov), from the caller's aws_partition."
  type        = string
}

variable "region" {
  description = "AWS region, from the caller's aws_region."
  type        = string
}

variable "account_id" {
  description = "AWS account id, from the caller's aws_caller_identity."
  type        = string
}

variable "create_errors_alarm" {
  description = "Creates a CloudWatch alarm when the function reports any error in a minute."
  type        = bool
  default     = false
}

variable "alarm_actions" {
  description = "ARNs notified when an alarm fires."
  type        = list(string)
  default     = []
}

variable "tags" {
  description = "Tags for every taggable resource."
  type        = map(string)
  default     = {}
}
