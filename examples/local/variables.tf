variable "aws_endpoint" {
  description = "The local AWS endpoint on loopback (local-runtime/local-aws.ts, in front of moto_server), e.g. http://127.0.0.1:5000. `make demo` starts both on free ports and passes it."
  type        = string

  validation {
    condition     = can(regex("^http://(127\\.[0-9]+\\.[0-9]+\\.[0-9]+|localhost|\\[::1\\]):[0-9]+$", var.aws_endpoint))
    error_message = "aws_endpoint must be an http:// loopback address with a port: this example must never reach a real AWS endpoint."
  }
}

variable "name" {
  description = "Name prefix of everything the example creates."
  type        = string
  default     = "webhooks-local"
}

variable "adot_standin_layer_zip" {
  description = "Zip published as the stand-in for the ADOT layer (the emulator rejects layer ARNs it does not know). Built by `node scripts/build.mjs --local-runtime`."
  type        = string
  default     = null
}

variable "max_body_bytes" {
  description = "Largest request body the producer accepts (the module's max_body_bytes): at most the queue's 256 KiB less the 16 KiB the module keeps for message attributes."
  type        = number
  default     = 245760

  validation {
    condition     = var.max_body_bytes >= 1 && var.max_body_bytes <= 262144 - 16384
    error_message = "max_body_bytes must be between 1 and 245760 (the module's 256 KiB queue less the 16 KiB it keeps for message attributes)."
  }
}

variable "consumer_timeout" {
  description = "Timeout of the consumer in seconds; the queue's visibility timeout is 6x this. Short, so a failing record reaches the DLQ within a minute; `make soak` gives a loaded machine more room."
  type        = number
  default     = 2

  validation {
    condition     = var.consumer_timeout >= 1 && var.consumer_timeout <= 30
    error_message = "consumer_timeout must be between 1 and 30 seconds in this example."
  }
}

variable "fan_out" {
  description = "The module's fan_out (an SNS topic between the producer and several consumers), e.g. { own_consumer = { name = \"billing\" }, consumers = { notifications = { raw_message_delivery = false, event_types = [\"invoice.*\"] } } }; null: the single queue."
  type = object({
    own_consumer = optional(object({
      name                 = optional(string, "store")
      raw_message_delivery = optional(bool, true)
      event_types          = optional(list(string), [])
      sources              = optional(list(string), [])
    }), {})
    consumers = optional(map(object({
      raw_message_delivery = optional(bool, true)
      event_types          = optional(list(string), [])
      sources              = optional(list(string), [])
    })), {})
  })
  default = null
}

variable "webhook_sources" {
  description = "Webhook senders beside /webhook (the module's webhook_sources): by default one per scheme, as the demo and the end-to-end tests send them."
  type = map(object({
    scheme            = string
    tolerance_seconds = optional(number)
  }))
  default = {
    github         = { scheme = "github" }
    svix           = { scheme = "standard-webhooks" }
    shopify        = { scheme = "shopify" }
    slack          = { scheme = "slack" }
    stripe-connect = { scheme = "stripe" }
  }
}
