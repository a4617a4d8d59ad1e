variable "region" {
  description = "Region to deploy to."
  type        = string
  default     = "eu-west-1"
}

variable "name" {
  description = "Name of the pipeline."
  type        = string
  default     = "webhook-invoices"
}

variable "consumer_package_path" {
  description = "Zip of the invoice consumer; null uses dist/consumer.zip in this folder, built by `npm ci && npm run build` here (or `make custom-consumer` at the repository root)."
  type        = string
  default     = null

  validation {
    condition     = var.consumer_package_path == null || endswith(coalesce(var.consumer_package_path, "-"), ".zip")
    error_message = "consumer_package_path must be a .zip file."
  }
}

variable "only_invoice_events" {
  description = "Filter the event source mapping to invoice.* events, so other events never invoke the function (they are deleted from the queue). The consumer skips them anyway."
  type        = bool
  default     = true
}
