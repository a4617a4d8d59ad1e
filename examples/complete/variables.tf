variable "region" {
  description = "Region to deploy to."
  type        = string
  default     = "eu-west-1"
}

variable "name" {
  description = "Name of the pipeline."
  type        = string
  default     = "webhook-complete"
}

variable "vpc_cidr" {
  description = "CIDR of the example VPC the functions run in."
  type        = string
  default     = "10.42.0.0/16"
}
