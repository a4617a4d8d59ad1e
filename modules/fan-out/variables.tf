variable "name" {
  description = "Name of the topic."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,256}$", var.name))
    error_message = "name must be 1-256 letters, digits, hyphens or underscores (a standard topic)."
  }
}

variable "kms_key_arn" {
  description = "Customer managed KMS key the topic encrypts messages with; null uses SNS's AWS managed key (alias/aws/sns). The publisher needs kms:GenerateDataKey and kms:Decrypt on it through sns.<region>.amazonaws.com, and an encrypted subscribed queue's key policy must let sns.amazonaws.com use its key."
  type        = string
  default     = null
}

variable "tracing_enabled" {
  description = "X-Ray active tracing on the topic (Active); false passes the publisher's trace header on without SNS's own segments (PassThrough)."
  type        = bool
  default     = true
}

variable "subscriptions" {
  description = "One subscription per consumer, keyed by the consumer's name: its queue's ARN (the queue's policy must let this topic send to it), raw message delivery (the message as the body, its attributes as SQS message attributes) or not (SNS's JSON envelope as the body), and a filter policy on message attributes (JSON; null: every message)."
  type = map(object({
    queue_arn            = string
    raw_message_delivery = bool
    filter_policy        = optional(string)
  }))

  validation {
    condition     = length(var.subscriptions) >= 1
    error_message = "subscriptions needs at least one consumer's queue."
  }

  validation {
    condition     = alltrue([for s in values(var.subscriptions) : can(regex("^arn:[^:]+:sqs:[^:]+:[0-9]{12}:[A-Za-z0-9_-]+$", s.queue_arn))])
    error_message = "Each subscription's queue_arn must be an SQS queue ARN (standard, not FIFO)."
  }

  validation {
    condition     = alltrue([for s in values(var.subscriptions) : s.filter_policy == null ? true : can(keys(jsondecode(s.filter_policy)))])
    error_message = "Each subscription's filter_policy must be a JSON object (or null)."
  }
}

variable "tags" {
  description = "Tags for the topic."
  type        = map(string)
  default     = {}
}
