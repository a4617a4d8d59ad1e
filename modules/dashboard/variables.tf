variable "name" {
  description = "Name of the dashboard."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,255}$", var.name))
    error_message = "A dashboard name has 1-255 characters: letters, digits, - and _."
  }
}

variable "region" {
  description = "Region the pipeline runs in (the widgets' metrics and the console links)."
  type        = string
}

variable "partition" {
  description = "AWS partition (aws, aws-cn, aws-us-gov): picks the console's domain for the links."
  type        = string
  default     = "aws"

  validation {
    condition     = contains(["aws", "aws-cn", "aws-us-gov"], var.partition)
    error_message = "partition must be aws, aws-cn or aws-us-gov."
  }
}

variable "api_name" {
  description = "Name of the REST API (its metrics' ApiName dimension); null when the module created no API, and the API widgets are left out."
  type        = string
  default     = null
}

variable "api_stage_name" {
  description = "Stage of the REST API (its metrics' Stage dimension)."
  type        = string
  default     = null
}

variable "producer_function_name" {
  description = "Name of the producer function."
  type        = string
}

variable "consumer_function_name" {
  description = "Name of the consumer function."
  type        = string
}

variable "queue_name" {
  description = "Name of the queue between the functions."
  type        = string
}

variable "dlq_name" {
  description = "Name of the dead-letter queue."
  type        = string
}

variable "table_name" {
  description = "Name of the DynamoDB table the consumer writes to."
  type        = string
}

variable "sources" {
  description = "The webhook sources to chart one line each for (accepted, rejected and stored per source); empty: no per-source widgets."
  type        = list(string)
  default     = []
}

variable "source_metrics_namespace" {
  description = "CloudWatch namespace of the per-source metrics (WebhooksAccepted, WebhooksRejected, WebhooksStored, dimension Source) the module's log metric filters publish; required with sources."
  type        = string
  default     = null
}

variable "where_is_command" {
  description = "The command shown in the dashboard's text widget for finding one event."
  type        = string
  default     = "make where-is EVENT=evt_... TF_DIR=<the directory you applied>"
}

variable "period_seconds" {
  description = "Period of the metric widgets, in seconds."
  type        = number
  default     = 60

  validation {
    condition     = contains([10, 30, 60], var.period_seconds) || (var.period_seconds >= 60 && var.period_seconds % 60 == 0)
    error_message = "period_seconds must be 10, 30, 60 or a multiple of 60."
  }
}
