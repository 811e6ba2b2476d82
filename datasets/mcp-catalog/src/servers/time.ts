// Modelled on the reference mcp-server-time (Python): IANA time zones, HH:MM conversions.
import { defineServer, str, tool } from '../dsl.js';

export default defineServer({
  name: 'time',
  openWorld: false,
  schemaStyle: 'plain',
  tools: [
    tool('get_current_time', 'read', 'Get current time in a specific timezones', { timezone: str('IANA timezone name (e.g., \'America/New_York\', \'Europe/London\'). Use \'UTC\' as local timezone if no timezone provided by the user.') }, ['timezone']),
    tool('convert_time', 'read', 'Convert time between timezones', { source_timezone: str('Source IANA timezone name (e.g., \'America/New_York\', \'Europe/London\'). Use \'UTC\' as local timezone if no source timezone provided by the user.'), time: str('Time to convert in 24-hour format (HH:MM)'), target_timezone: str('Target IANA timezone name (e.g., \'Asia/Tokyo\', \'America/San_Francisco\'). Use \'UTC\' as local timezone if no target timezone provided by the user.') }, ['source_timezone', 'time', 'target_timezone']),
  ],
});
