// Modelled on nspady/google-calendar-mcp: kebab-case tools, RFC 3339 times, explicit calendarId.
import { defineServer, list, oneOf, str, tool } from '../dsl.js';

const calendarId = { calendarId: str('ID of the calendar (use \'primary\' for the main calendar)', { default: 'primary' }) };
const time = (what: string) => str(`${what}. Format: '2024-01-01T00:00:00' in the calendar's time zone, or with an offset`, { format: 'date-time' });

export default defineServer({
  name: 'google-calendar',
  openWorld: true,
  schemaStyle: 'zod',
  tools: [
    tool('list-calendars', 'read', 'List all available calendars', {}),
    tool('list-events', 'read', 'List events from one or more calendars.', { calendarId: str('ID of the calendar(s) to list events from. Accepts either a single calendar ID string or an array of calendar IDs'), timeMin: time('Start time boundary'), timeMax: time('End time boundary'), timeZone: str('Timezone as IANA Time Zone Database name (e.g., America/Los_Angeles)') }, ['calendarId']),
    tool('search-events', 'read', 'Search for events in a calendar by text query.', { ...calendarId, query: str('Free text search query (searches summary, description, location, attendees, etc.)'), timeMin: time('Start time boundary'), timeMax: time('End time boundary') }, ['calendarId', 'query']),
    tool('get-event', 'read', 'Get details of a specific event by ID.', { ...calendarId, eventId: str('ID of the event to retrieve') }, ['calendarId', 'eventId']),
    tool('create-event', 'create', 'Create a new calendar event.', { ...calendarId, summary: str('Title of the event'), description: str('Description/notes for the event'), start: time('Event start time'), end: time('Event end time'), timeZone: str('Timezone as IANA name'), location: str('Location of the event'), attendees: list({ type: 'object', properties: { email: { type: 'string', format: 'email' } }, required: ['email'] }, 'List of attendee email addresses'), recurrence: list({ type: 'string' }, 'Recurrence rules in RFC5545 format (e.g., ["RRULE:FREQ=WEEKLY;COUNT=5"])'), colorId: str('Color ID for the event (use list-colors to see available IDs)') }, ['calendarId', 'summary', 'start', 'end']),
    tool('update-event', 'update', 'Update an existing calendar event with recurring event modification scope support.', { ...calendarId, eventId: str('ID of the event to update'), summary: str('Updated title of the event'), description: str('Updated description/notes'), start: time('Updated start time'), end: time('Updated end time'), location: str('Updated location'), attendees: list({ type: 'object' }, 'Updated attendee list'), modificationScope: oneOf(['thisAndFollowing', 'all', 'thisEventOnly'], 'Scope for modifying recurring events') }, ['calendarId', 'eventId']),
    tool('delete-event', 'delete', 'Delete a calendar event.', { ...calendarId, eventId: str('ID of the event to delete'), sendUpdates: oneOf(['all', 'externalOnly', 'none'], 'Whether to send cancellation notifications', { default: 'all' }) }, ['calendarId', 'eventId']),
    tool('get-freebusy', 'read', 'Query free/busy information for calendars. Note: Time range is limited to a maximum of 3 months between timeMin and timeMax.', { calendars: list({ type: 'object', properties: { id: { type: 'string' } }, required: ['id'] }, 'List of calendars and/or groups to query for free/busy information'), timeMin: time('Start time boundary'), timeMax: time('End time boundary'), timeZone: str('Timezone for the query') }, ['calendars', 'timeMin', 'timeMax']),
    tool('respond-to-event', 'update', 'Respond to a calendar event invitation with Accept, Decline, Maybe (Tentative), or No Response.', { ...calendarId, eventId: str('ID of the event to respond to'), response: oneOf(['accepted', 'declined', 'tentative', 'needsAction'], 'Your response to the event invitation'), comment: str('Optional message to include with your response') }, ['calendarId', 'eventId', 'response']),
    tool('list-colors', 'read', 'List available color IDs and their meanings for calendar events', {}),
    tool('get-current-time', 'read', 'Get current system time and timezone information.', { timeZone: str('Optional IANA timezone') }),
  ],
});
