// Modelled on Datadog MCP servers (GeLi2001/datadog-mcp-server, winor30/mcp-server-datadog): monitors, metrics, logs, incidents.
import { defineServer, int, list, oneOf, str, tool } from '../dsl.js';

const window = { from: int('Start time in epoch seconds'), to: int('End time in epoch seconds') };

export default defineServer({
  name: 'datadog',
  openWorld: true,
  schemaStyle: 'zod',
  tools: [
    tool('get_monitors', 'read', 'Fetch monitors with optional filtering by group states and tags.', { groupStates: list({ type: 'string', enum: ['alert', 'warn', 'no data', 'ok'] }, 'States to filter (e.g., alert, warn, no data, ok)'), name: str('Filter by name'), tags: list({ type: 'string' }, 'Tags to filter by') }),
    tool('get_monitor', 'read', 'Get details of a specific monitor by ID.', { monitorId: int('ID of the monitor') }, ['monitorId']),
    tool('mute_monitor', 'update', 'Mute a monitor (optionally for one scope) until a given time', { monitorId: int('ID of the monitor'), scope: str('Scope to mute, e.g. host:web-1'), end: int('Epoch seconds when the mute ends') }, ['monitorId']),
    tool('query_metrics', 'read', 'Query timeseries points of metrics from Datadog.', { ...window, query: str('Datadog metrics query string, e.g. avg:system.cpu.user{service:api} by {host}') }, ['from', 'to', 'query']),
    tool('search_logs', 'read', 'Search logs in Datadog with advanced filtering options.', { filter: { type: 'object', properties: { query: str('Datadog logs query, e.g. service:api status:error'), from: str('Start time (ISO or relative like now-15m)'), to: str('End time'), indexes: list({ type: 'string' }, 'Log indexes to search') }, description: 'Search filters' }, sort: oneOf(['timestamp', '-timestamp'], 'Sort order'), limit: int('Maximum logs to return', { default: 100 }) }),
    tool('aggregate_logs', 'read', 'Perform analytics and aggregations on log data (counts, percentiles, group by facet).', { filter: { type: 'object', description: 'Log query filter' }, compute: list({ type: 'object' }, 'Aggregations to compute'), groupBy: list({ type: 'object' }, 'Facets to group by') }),
    tool('list_incidents', 'read', 'Retrieve a list of incidents from Datadog.', { pageSize: int('Maximum number of incidents to return per page'), pageOffset: int('Offset for pagination') }),
    tool('get_incident', 'read', 'Retrieve detailed information about a specific Datadog incident.', { incidentId: str('Incident ID to fetch details for') }, ['incidentId']),
    tool('list_dashboards', 'read', 'Get a list of dashboards from Datadog.', { name: str('Filter dashboards by name'), tags: list({ type: 'string' }, 'Filter dashboards by tags') }),
    tool('get_dashboard', 'read', 'Get a dashboard definition and its widgets', { dashboardId: str('Dashboard ID') }, ['dashboardId']),
    tool('list_hosts', 'read', 'Get list of hosts from Datadog.', { filter: str('Filter string for search results'), count: int('Max number of hosts to return'), include_muted_hosts_data: { type: 'boolean', description: 'Include muted hosts status and expiry' } }),
    tool('list_traces', 'read', 'Retrieve a list of APM traces from Datadog.', { query: str('Datadog APM trace query string'), ...window, limit: int('Maximum number of traces to return', { default: 100 }), service: str('Filter by service name') }, ['query', 'from', 'to']),
    tool('schedule_downtime', 'create', 'Schedule a downtime so monitors in a scope do not alert (e.g. during maintenance)', { scope: str('Scope, e.g. env:prod or host:db-1'), start: int('Start epoch seconds'), end: int('End epoch seconds'), message: str('Message for the downtime') }, ['scope']),
  ],
});
