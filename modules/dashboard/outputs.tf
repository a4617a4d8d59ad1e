output "dashboard_name" {
  description = "Name of the dashboard."
  value       = aws_cloudwatch_dashboard.this.dashboard_name
}

output "dashboard_url" {
  description = "The dashboard in the CloudWatch console."
  value       = "${local.console}#dashboards/dashboard/${aws_cloudwatch_dashboard.this.dashboard_name}"
}

output "dashboard_body" {
  description = "The dashboard's JSON body, decoded (for tests and reviews)."
  value       = jsondecode(aws_cloudwatch_dashboard.this.dashboard_body)
}
