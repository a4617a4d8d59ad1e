output "webhook_url" {
  description = "URL to register with Stripe."
  value       = module.webhook.webhook_url
}

output "invoices_table_name" {
  description = "The invoice consumer's own table."
  value       = aws_dynamodb_table.invoices.name
}

output "consumer_function_name" {
  description = "Name of the deployed invoice consumer."
  value       = module.webhook.consumer_function_name
}
