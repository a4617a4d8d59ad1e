variable "create_transaction_search_policy" {
  description = "Creates the CloudWatch Logs resource policy that lets X-Ray write spans to aws/spans and /aws/application-signals/data, which CloudWatch Transaction Search needs (then run the command in the cli_commands output: the X-Ray segment destination has no Terraform resource in provider 5.100). One of the 10 resource policies CloudWatch Logs allows per account and region."
  type        = bool
  default     = true
}

variable "transaction_search_policy_name" {
  description = "Name of the CloudWatch Logs resource policy for Transaction Search (unique per account and region)."
  type        = string
  default     = "TransactionSearchXRayAccess"

  validation {
    condition     = can(regex("^[A-Za-z0-9_./#-]{1,255}$", var.transaction_search_policy_name))
    error_message = "transaction_search_policy_name must be 1-255 letters, digits or _ . / # -."
  }
}

variable "create_api_gateway_cloudwatch_role" {
  description = "Creates the IAM role API Gateway writes access and execution logs with, and sets it as the account's API Gateway CloudWatch role for this region (aws_api_gateway_account). That setting is shared by every API in the account and region: set it from one stack only. Destroying it resets the setting on AWS provider 6.x (every API in the region stops logging) and leaves it naming a deleted role on 5.x."
  type        = bool
  default     = false
}

variable "api_gateway_cloudwatch_role_name" {
  description = "Name of the API Gateway CloudWatch role; null: api-gateway-cloudwatch-logs-<region> (IAM role names are global to the account, so the region keeps one role per region)."
  type        = string
  default     = null

  validation {
    condition     = var.api_gateway_cloudwatch_role_name == null ? true : can(regex("^[A-Za-z0-9+=,.@_-]{1,64}$", var.api_gateway_cloudwatch_role_name))
    error_message = "api_gateway_cloudwatch_role_name must be 1-64 characters: letters, digits and +=,.@_-."
  }
}

variable "iam_role_path" {
  description = "Path of the API Gateway CloudWatch role."
  type        = string
  default     = "/"

  validation {
    condition     = can(regex("^/([A-Za-z0-9+=,.@_-]+/)*$", var.iam_role_path))
    error_message = "iam_role_path must start and end with / (for example /service/)."
  }
}

variable "iam_permissions_boundary_arn" {
  description = "Permissions boundary of the API Gateway CloudWatch role."
  type        = string
  default     = null

  validation {
    condition     = var.iam_permissions_boundary_arn == null ? true : can(regex("^arn:aws[a-z-]*:iam::([0-9]{12}|aws):policy/.+$", var.iam_permissions_boundary_arn))
    error_message = "iam_permissions_boundary_arn must be an IAM policy ARN."
  }
}

variable "tags" {
  description = "Tags for every taggable resource (the role)."
  type        = map(string)
  default     = {}
}
