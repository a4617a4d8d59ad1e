/** Every service the module and its examples touch; all of them go to the local AWS endpoint. */
const LOCAL_AWS_SERVICES = ['apigateway', 'cloudwatch', 'cloudwatchlogs', 'dynamodb', 'ec2', 'iam', 'kms', 'lambda', 'secretsmanager', 'sns', 'sqs', 'sts', 'xray'];

/**
 * The `provider "aws"` block of a stack pointed at the local AWS endpoint: dummy credentials, no
 * call to a real account's metadata or STS, and every service's endpoint set, so nothing can
 * reach a real AWS endpoint. `endpoint` is an HCL expression (`var.aws_endpoint`, or a quoted URL).
 */
export function localAwsProviderBlock(endpoint: string): string {
  const endpoints = LOCAL_AWS_SERVICES.map((service) => `    ${service.padEnd(14)} = ${endpoint}`).join('\n');
  return `provider "aws" {
  region                      = "us-east-1"
  access_key                  = "testing"
  secret_key                  = "testing"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_region_validation      = true

  endpoints {
${endpoints}
  }
}
`;
}
