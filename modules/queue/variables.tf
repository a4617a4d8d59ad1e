variable "name" {
  description = "Name of the queue; the dead-letter queue is <name>-dlq."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,76}$", var.name))
    error_message = "name must be 1-76 letters, digits, hyphens or underscores (the DLQ adds -dlq within SQS's 80)."
  }
}

variable "visibility_timeout_seconds" {
  description = "Visibility timeout of the queue. AWS advises at least 6x the consumer's timeout."
  type        = number
  default     = 180

  validation {
    condition     = var.visibility_timeout_seconds >= 0 && var.visibility_timeout_seconds <= 43200
    error_message = "visibility_timeout_seconds must be between 0 and 43200."
  }
}

variable "message_retention_seconds" {
  description = "How long the queue keeps a message (60-1209600)."
  type        = number
  default     = 345600

  validation {
    condition     = var.message_retention_seconds >= 60 && var.message_retention_seconds <= 1209600
    error_message = "message_retention_seconds must be between 60 and 1209600."
  }
}

variable "dlq_message_retention_seconds" {
  description = "How long the dead-letter queue keeps a message (60-1209600)."
  type        = number
  default     = 1209600

  validation {
    condition     = var.dlq_message_retention_seconds >= 60 && var.dlq_message_retention_seconds <= 1209600
    error_message = "dlq_message_retention_seconds must be between 60 and 1209600."
  }
}

variable "max_message_size" {
  description = "Maximum message size of both queues in bytes, always sent to SQS. Default 262144 (256 KiB), the most AWS provider 5.100 accepts (and what it deploys when the size is left unset, whatever SQS's own default); up to 1048576 with a provider 6.x release that accepts it."
  type        = number
  default     = 262144
  nullable    = false

  validation {
    condition     = var.max_message_size >= 1024 && var.max_message_size <= 1048576 && floor(var.max_message_size) == var.max_message_size
    error_message = "max_message_size must be a whole number between 1024 and 1048576."
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
  description = "Creates the redrive-allow policy on the DLQ (only this queue may use it). Turn off only for emulators that do not store it."
  type        = bool
  default     = true
}

variable "kms_key_arn" {
  description = "KMS key for both queues; null uses SQS-managed encryption (SSE-SQS)."
  type        = string
  default     = null
}

variable "sns_topic_arns" {
  description = "SNS topics subscribed to the queue (fan-out): its policy lets sns.amazonaws.com send to it for these topics only (aws:SourceArn). Empty: no SNS statement."
  type        = list(string)
  default     = []
  nullable    = false
}

variable "create_alarms" {
  description = "Creates the DLQ-not-empty and oldest-message-age alarms."
  type        = bool
  default     = true
}

variable "oldest_message_age_alarm_threshold_seconds" {
  description = "The age-of-oldest-message alarm fires above this many seconds."
  type        = number
  default     = 300

  validation {
    condition     = var.oldest_message_age_alarm_threshold_seconds >= 1
    error_message = "oldest_message_age_alarm_threshold_seconds must be at least 1."
  }
}

variable "alarm_actions" {
  description = "ARNs notified when an alarm fires or recovers."
  type        = list(string)
  default     = []
}

variable "tags" {
  description = "Tags for every taggable resource."
  type        = map(string)
  default     = {}
}
