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
  description = "Largest request body the producer accepts (the module's max_body_bytes). `make soak` raises it above DynamoDB's 400 KB item limit to send poison events that pass the gate but can never be stored."
  type        = number
  default     = 262144

  validation {
    condition     = var.max_body_bytes >= 1 && var.max_body_bytes <= 1048576 - 16384
    error_message = "max_body_bytes must be between 1 and 1 MiB minus 16 KiB (the queue's limit less the envelope's headroom)."
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
