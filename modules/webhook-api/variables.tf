variable "name" {
  description = "Name of the REST API; also names its access log group."
  type        = string
}

variable "function_name" {
  description = "Name of the Lambda function behind POST /webhook."
  type        = string
}

variable "function_invoke_arn" {
  description = "Invoke ARN of the Lambda function behind POST /webhook."
  type        = string
}

variable "path_part" {
  description = "Path of the webhook resource."
  type        = string
  default     = "webhook"

  validation {
    condition     = can(regex("^[A-Za-z0-9._-]+$", var.path_part))
    error_message = "path_part must be a single path segment."
  }
}

variable "source_routes_enabled" {
  description = "Adds POST /webhooks/{source}, proxied to the same function (which serves the sources it is configured with and answers 404 for any other), with its own invoke permission; the sampling rule then matches it too."
  type        = bool
  default     = false
}

variable "stage_name" {
  description = "Name of the stage."
  type        = string
  default     = "v1"

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,128}$", var.stage_name))
    error_message = "stage_name must be 1-128 letters, digits, hyphens or underscores."
  }
}

variable "endpoint_type" {
  description = "Endpoint type of the REST API: REGIONAL or EDGE (PRIVATE needs a VPC endpoint policy this module does not write)."
  type        = string
  default     = "REGIONAL"

  validation {
    condition     = contains(["REGIONAL", "EDGE"], var.endpoint_type)
    error_message = "endpoint_type must be REGIONAL or EDGE."
  }
}

variable "xray_tracing_enabled" {
  description = "X-Ray active tracing on the stage."
  type        = bool
  default     = true
}

variable "sampling_rule_enabled" {
  description = "Creates an X-Ray sampling rule for POST /<path_part> on this stage (only with xray_tracing_enabled): X-Ray's default rule traces 1 request a second and 5% of the rest."
  type        = bool
  default     = true
}

variable "sampling_fixed_rate" {
  description = "Share of matching requests the rule traces once its reservoir is used up (0 to 1; 1 traces every webhook)."
  type        = number
  default     = 1

  validation {
    condition     = var.sampling_fixed_rate >= 0 && var.sampling_fixed_rate <= 1
    error_message = "sampling_fixed_rate must be between 0 and 1."
  }
}

variable "sampling_reservoir_size" {
  description = "Matching requests traced each second before the fixed rate applies (shared by every API Gateway host applying the rule)."
  type        = number
  default     = 1

  validation {
    condition     = var.sampling_reservoir_size >= 0 && floor(var.sampling_reservoir_size) == var.sampling_reservoir_size
    error_message = "sampling_reservoir_size must be a whole number of 0 or more."
  }
}

variable "sampling_rule_priority" {
  description = "Priority of the sampling rule (1-9999; X-Ray evaluates rules in ascending order and applies the first that matches; the default rule comes last)."
  type        = number
  default     = 100

  validation {
    condition     = var.sampling_rule_priority >= 1 && var.sampling_rule_priority <= 9999 && floor(var.sampling_rule_priority) == var.sampling_rule_priority
    error_message = "sampling_rule_priority must be a whole number between 1 and 9999."
  }
}

variable "throttling_rate_limit" {
  description = "Steady-state requests per second allowed on every method of the stage."
  type        = number
  default     = 100

  validation {
    condition     = var.throttling_rate_limit > 0
    error_message = "throttling_rate_limit must be positive."
  }
}

variable "throttling_burst_limit" {
  description = "Burst of requests allowed on every method of the stage."
  type        = number
  default     = 200

  validation {
    condition     = var.throttling_burst_limit > 0 && floor(var.throttling_burst_limit) == var.throttling_burst_limit
    error_message = "throttling_burst_limit must be a positive whole number."
  }
}

variable "metrics_enabled" {
  description = "Detailed CloudWatch metrics for every method of the stage."
  type        = bool
  default     = true
}

variable "execution_logging_level" {
  description = "Execution logging level (OFF, ERROR, INFO). Anything but OFF needs the account's API Gateway CloudWatch role for the region (modules/account-setup)."
  type        = string
  default     = "OFF"

  validation {
    condition     = contains(["OFF", "ERROR", "INFO"], var.execution_logging_level)
    error_message = "execution_logging_level must be OFF, ERROR or INFO."
  }
}

variable "access_logging_enabled" {
  description = "Writes access logs to a log group. Off by default: creating a stage with access logs fails where the account has no API Gateway CloudWatch role for the region (\"CloudWatch Logs role ARN must be set in account settings\"); set one first (modules/account-setup)."
  type        = bool
  default     = false
}

variable "access_log_format" {
  description = "Access log format; null uses a JSON line with the request id, the X-Ray trace id, the caller, the status and the integration's latency and error."
  type        = string
  default     = null
}

variable "log_retention_in_days" {
  description = "Retention of the access log group."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_in_days)
    error_message = "log_retention_in_days must be a value CloudWatch Logs accepts."
  }
}

variable "log_kms_key_arn" {
  description = "KMS key for the access log group; null: CloudWatch Logs' own encryption."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags for every taggable resource."
  type        = map(string)
  default     = {}
}
