// Modelled on Google Cloud MCP servers (gcloud-mcp, Cloud Run MCP, observability MCP).
import { defineServer, int, list, record, str, tool } from '../dsl.js';

const project = { project: str('Google Cloud project ID') };

export default defineServer({
  name: 'gcp',
  openWorld: true,
  schemaStyle: 'zod',
  tools: [
    tool('run_gcloud_command', 'execute', 'Run a gcloud CLI command and return its output. Commands that delete resources require confirmation.', { args: list({ type: 'string' }, 'The arguments to gcloud, without the leading "gcloud", e.g. ["compute", "instances", "list"]') }, ['args']),
    tool('list_projects', 'read', 'Lists the Google Cloud projects you can access', { filter: str('Filter expression, e.g. "labels.env:prod"') }),
    tool('list_services', 'read', 'Lists Cloud Run services in a given project and region.', { ...project, region: str('Region (e.g. us-central1)') }, ['project']),
    tool('get_service', 'read', 'Gets details for a specific Cloud Run service: URL, latest revision, traffic split.', { ...project, region: str('Region'), service: str('Name of the Cloud Run service') }, ['project', 'service']),
    tool('deploy_local_folder', 'execute', 'Deploy a local folder to Cloud Run. Takes an absolute folder path from the local filesystem that will be deployed.', { ...project, region: str('Region', { default: 'europe-west1' }), service: str('Name of the Cloud Run service to deploy to'), folderPath: str('Absolute path to the folder to deploy') }, ['project', 'folderPath']),
    tool('get_service_log', 'read', 'Gets logs and error messages for a specific Cloud Run service.', { ...project, region: str('Region'), service: str('Name of the Cloud Run service') }, ['project', 'service']),
    tool('list_log_entries', 'read', 'Lists Cloud Logging entries matching a filter', { ...project, filter: str('Logging query, e.g. severity>=ERROR AND resource.type="k8s_container"'), pageSize: int('Maximum entries', { default: 50 }), orderBy: str('"timestamp desc" or "timestamp asc"', { default: 'timestamp desc' }) }, ['project']),
    tool('list_time_series', 'read', 'Lists Cloud Monitoring time series for a metric filter and interval', { ...project, filter: str('Monitoring filter, e.g. metric.type="compute.googleapis.com/instance/cpu/utilization"'), startTime: str('Interval start', { format: 'date-time' }), endTime: str('Interval end', { format: 'date-time' }) }, ['project', 'filter', 'startTime']),
    tool('list_compute_instances', 'read', 'Lists Compute Engine VM instances in a project, optionally in one zone', { ...project, zone: str('Zone, e.g. us-central1-a') }, ['project']),
    tool('list_storage_buckets', 'read', 'Lists Cloud Storage buckets in a project', project, ['project']),
    tool('read_storage_object', 'read', 'Reads an object from a Cloud Storage bucket', { bucket: str('Bucket name'), object: str('Object name') }, ['bucket', 'object']),
    tool('publish_pubsub_message', 'create', 'Publishes a message to a Pub/Sub topic', { ...project, topic: str('Topic ID'), data: str('Message payload'), attributes: record('Message attributes') }, ['project', 'topic', 'data']),
  ],
});
