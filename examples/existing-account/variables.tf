variable "region" {
  description = "Region of the existing resources."
  type        = string
  default     = "eu-west-1"
}

variable "name" {
  description = "Name of the pipeline."
  type        = string
  default     = "webhook"
}

variable "kms_key_alias" {
  description = "Alias of the account's customer managed KMS key for data (queues)."
  type        = string
  default     = "alias/platform-data"
}

variable "logs_kms_key_alias" {
  description = "Alias of the account's KMS key for CloudWatch Logs; null: no KMS on log groups."
  type        = string
  default     = null
}

variable "table_name" {
  description = "Existing DynamoDB table (hash key eventId, type S)."
  type        = string
  default     = "webhook-events"
}

variable "vpc_id" {
  description = "Existing VPC the functions run in."
  type        = string
}

variable "subnet_tier_tag" {
  description = "Value of the Tier tag that marks the VPC's private subnets."
  type        = string
  default     = "private"
}

variable "security_group_ids" {
  description = "Existing security groups for the functions (HTTPS out to the VPC endpoints or a NAT)."
  type        = list(string)
}

variable "permissions_boundary_policy_name" {
  description = "Name of the customer managed policy every role in the account must carry as its boundary."
  type        = string
  default     = "platform-boundary"
}

variable "iam_role_path" {
  description = "Path the account requires for workload roles."
  type        = string
  default     = "/workloads/"
}

variable "webhook_secret_name" {
  description = "Existing Secrets Manager secret holding the Stripe signing secret."
  type        = string
  default     = "stripe/webhook-signing-secret"
}

variable "rest_api_name" {
  description = "Existing REST API to add POST /webhook to."
  type        = string
  default     = "platform-api"
}

variable "alarm_topic_arn" {
  description = "Existing SNS topic for alarms; null: alarms without actions."
  type        = string
  default     = null
}
