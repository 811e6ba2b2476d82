// Modelled on PagerDuty's MCP server (Python): incidents, on-call schedules, services, escalation policies.
import { defineServer, int, list, oneOf, str, tool } from '../dsl.js';

export default defineServer({
  name: 'pagerduty',
  openWorld: true,
  schemaStyle: 'pydantic',
  tools: [
    tool('list_incidents', 'read', 'List incidents, by default the open ones assigned to the current user\'s teams.', { status: list({ type: 'string', enum: ['triggered', 'acknowledged', 'resolved'] }, 'Filter by status'), urgencies: list({ type: 'string', enum: ['high', 'low'] }, 'Filter by urgency'), service_ids: list({ type: 'string' }, 'Filter by service'), since: str('Start of the date range', { format: 'date-time' }), limit: int('Max results', { default: 25 }) }),
    tool('get_incident', 'read', 'Get a single incident with its timeline summary', { incident_id: str('The incident ID') }, ['incident_id']),
    tool('create_incident', 'create', 'Trigger a new incident on a service', { title: str('Incident title'), service_id: str('Service to open the incident on'), urgency: oneOf(['high', 'low'], 'Urgency', { default: 'high' }), body: str('Details') }, ['title', 'service_id']),
    tool('manage_incidents', 'update', 'Acknowledge, resolve, reassign or change the urgency of one or more incidents', { incident_ids: list({ type: 'string' }, 'Incidents to change'), status: oneOf(['acknowledged', 'resolved'], 'New status'), urgency: oneOf(['high', 'low'], 'New urgency'), assign_to_user_id: str('User ID to reassign to') }, ['incident_ids']),
    tool('add_note_to_incident', 'create', 'Add a note to an incident\'s timeline', { incident_id: str('The incident ID'), note: str('Note text') }, ['incident_id', 'note']),
    tool('list_oncalls', 'read', 'List who is on call, optionally for given schedules or escalation policies and a time window', { schedule_ids: list({ type: 'string' }, 'Schedules'), escalation_policy_ids: list({ type: 'string' }, 'Escalation policies'), since: str('Window start', { format: 'date-time' }), until: str('Window end', { format: 'date-time' }) }),
    tool('list_schedules', 'read', 'List on-call schedules', { query: str('Filter by name') }),
    tool('create_schedule_override', 'create', 'Override an on-call schedule so another user covers a time window', { schedule_id: str('Schedule ID'), user_id: str('User who covers'), start: str('Start', { format: 'date-time' }), end: str('End', { format: 'date-time' }) }, ['schedule_id', 'user_id', 'start', 'end']),
    tool('list_services', 'read', 'List PagerDuty services', { query: str('Filter by name') }),
    tool('list_escalation_policies', 'read', 'List escalation policies', { query: str('Filter by name') }),
    tool('list_users', 'read', 'List users in the PagerDuty account', { query: str('Filter by name or email') }),
    tool('get_past_incidents', 'read', 'Find past incidents similar to a given incident', { incident_id: str('The incident ID'), limit: int('Max results', { default: 5 }) }, ['incident_id']),
  ],
});
