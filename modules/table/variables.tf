variable "name" {
  description = "Name of the DynamoDB table."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]{3,255}$", var.name))
    error_message = "name must be 3-255 letters, digits, underscores, hyphens or dots."
  }
}

variable "kms_key_arn" {
  description = "Customer managed KMS key for the table; null uses the AWS owned key (DynamoDB's default encryption)."
  type        = string
  default     = null
}

variable "deletion_protection_enabled" {
  description = "Protects the table from deletion."
  type        = bool
  default     = true
}

variable "ttl_attribute_name" {
  description = "Attribute holding an expiry time (epoch seconds); null turns TTL off."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags for the table."
  type        = map(string)
  default     = {}
}
