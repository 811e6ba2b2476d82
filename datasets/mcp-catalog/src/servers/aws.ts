// Modelled on the awslabs/mcp servers (CloudWatch, Lambda, S3 Tables, Cost Explorer, CloudFormation), merged into one endpoint.
import { bool, defineServer, int, list, oneOf, record, str, tool } from '../dsl.js';

const region = { region: str('AWS region (e.g. us-east-1). Defaults to the configured region.') };

export default defineServer({
  name: 'aws',
  openWorld: true,
  schemaStyle: 'pydantic',
  tools: [
    tool('call_aws', 'execute', 'Execute AWS CLI commands with validation and proper error handling. This is the PRIMARY tool to use when you are confident about the exact AWS CLI command needed to fulfill a user\'s request.', { cli_command: str('The complete AWS CLI command to execute. MUST start with "aws"'), max_results: int('Optional limit for number of results') }, ['cli_command']),
    tool('suggest_aws_commands', 'read', 'Suggest AWS CLI commands based on a natural language query. This is a FALLBACK tool to use when you are uncertain about the exact AWS CLI command needed.', { query: str('A natural language description of what you want to do in AWS.') }, ['query']),
    tool('list_s3_buckets', 'read', 'List the S3 buckets in the account with their creation dates and regions', region),
    tool('list_s3_objects', 'read', 'List objects in an S3 bucket under an optional prefix', { bucket: str('Bucket name'), prefix: str('Key prefix to filter by'), max_keys: int('Maximum keys to return', { default: 1000 }) }, ['bucket']),
    tool('get_s3_object', 'read', 'Download an S3 object and return its content (text, or base64 for binary)', { bucket: str('Bucket name'), key: str('Object key') }, ['bucket', 'key']),
    tool('put_s3_object', 'update', 'Upload content to an S3 object, overwriting it if it exists', { bucket: str('Bucket name'), key: str('Object key'), content: str('Object content'), content_type: str('MIME type', { default: 'application/octet-stream' }) }, ['bucket', 'key', 'content']),
    tool('describe_ec2_instances', 'read', 'Describe EC2 instances, optionally filtered by instance IDs, state or tags', { ...region, instance_ids: list({ type: 'string' }, 'Instance IDs'), filters: list(record('{"Name": ..., "Values": [...]}'), 'EC2 filters, e.g. instance-state-name or tag:Name') }),
    tool('stop_ec2_instances', 'update', 'Stop one or more running EC2 instances', { ...region, instance_ids: list({ type: 'string' }, 'Instance IDs to stop'), hibernate: bool('Hibernate instead of stop', { default: false }) }, ['instance_ids']),
    tool('list_lambda_functions', 'read', 'List the Lambda functions in a region with runtime, memory and last-modified date', region),
    tool('invoke_lambda_function', 'execute', 'Invoke an AWS Lambda function with a JSON payload and return its response', { ...region, function_name: str('Function name or ARN'), payload: record('JSON event passed to the function'), invocation_type: oneOf(['RequestResponse', 'Event', 'DryRun'], 'Synchronous, asynchronous or dry run', { default: 'RequestResponse' }) }, ['function_name']),
    tool('get_metric_data', 'read', 'Retrieve CloudWatch metric data for any CloudWatch metric. Use this for general CloudWatch metrics that aren\'t specific to Application Signals.', { namespace: str('The namespace of the metric (e.g., \'AWS/EC2\', \'AWS/Lambda\')'), metric_name: str('The name of the metric (e.g., \'CPUUtilization\', \'Duration\')'), start_time: str('The start time for the metric data query (ISO format)', { format: 'date-time' }), end_time: str('The end time for the metric data query (ISO format)', { format: 'date-time' }), statistic: oneOf(['AVG', 'COUNT', 'MAX', 'MIN', 'SUM'], 'The statistic to use for the metric'), dimensions: list(record('{"name": ..., "value": ...}'), 'List of dimensions that identify the metric') }, ['namespace', 'metric_name', 'start_time']),
    tool('get_active_alarms', 'read', 'Gets all CloudWatch Alarms currently in ALARM state.', { ...region, max_items: int('Maximum number of alarms to return', { default: 50 }) }),
    tool('execute_log_insights_query', 'read', 'Executes a CloudWatch Logs Insights query and waits for the results to be available.', { log_group_names: list({ type: 'string' }, 'The list of up to 50 log group names to be queried'), start_time: str('ISO 8601 formatted start time for the CloudWatch Logs Insights query window'), end_time: str('ISO 8601 formatted end time'), query_string: str('The query string in the Cloudwatch Log Insights Query Language, e.g. fields @timestamp, @message | filter @message like /ERROR/'), limit: int('The maximum number of log events to return') }, ['start_time', 'end_time', 'query_string']),
    tool('get_cost_and_usage', 'read', 'Retrieve AWS cost and usage data from Cost Explorer, grouped by dimensions such as SERVICE or REGION.', { date_range: { type: 'object', properties: { start_date: { type: 'string', format: 'date' }, end_date: { type: 'string', format: 'date' } }, required: ['start_date', 'end_date'], description: 'The billing period' }, granularity: oneOf(['DAILY', 'MONTHLY', 'HOURLY'], 'The granularity of the data', { default: 'MONTHLY' }), group_by: str('Dimension to group by, e.g. SERVICE, REGION, USAGE_TYPE', { default: 'SERVICE' }), metric: oneOf(['UnblendedCost', 'BlendedCost', 'AmortizedCost', 'UsageQuantity'], 'Metric to return', { default: 'UnblendedCost' }) }, ['date_range']),
    tool('describe_cloudformation_stack', 'read', 'Describe a CloudFormation stack: status, outputs, parameters and recent events', { ...region, stack_name: str('Stack name or ID') }, ['stack_name']),
    tool('list_iam_roles', 'read', 'List IAM roles in the account, optionally under a path prefix', { path_prefix: str('Path prefix, e.g. /service-role/') }),
    tool('get_secret_value', 'read', 'Read a secret from AWS Secrets Manager', { ...region, secret_id: str('Secret name or ARN') }, ['secret_id']),
    tool('list_knowledge_bases', 'read', 'List the Amazon Bedrock knowledge bases and their data sources', region),
  ],
});
