// Modelled on Twilio's MCP server (twilio-labs/mcp), narrowed to the messaging and voice calls agents actually make.
import { defineServer, int, str, tool } from '../dsl.js';

const phone = (what: string) => str(`${what} in E.164 format, e.g. +14155552671`, { pattern: '^\\+[1-9]\\d{1,14}$' });

export default defineServer({
  name: 'twilio',
  openWorld: true,
  schemaStyle: 'zod',
  tools: [
    tool('send_sms', 'create', 'Send an SMS message via Twilio', { to: phone('Recipient phone number'), body: str('Message text (max 1600 characters)', { maxLength: 1600 }), from: phone('Sender number (defaults to the configured Twilio number)') }, ['to', 'body']),
    tool('send_whatsapp_message', 'create', 'Send a WhatsApp message via Twilio', { to: phone('Recipient WhatsApp number'), body: str('Message text'), contentSid: str('Approved template SID for messages outside the 24h window') }, ['to']),
    tool('list_messages', 'read', 'List SMS/MMS messages sent or received by the account', { to: str('Filter by recipient'), from: str('Filter by sender'), dateSentAfter: str('Only messages sent after this date', { format: 'date' }), pageSize: int('Max results', { default: 20 }) }),
    tool('make_call', 'create', 'Place an outbound phone call that plays a message or runs TwiML', { to: phone('Number to call'), twiml: str('TwiML instructions, e.g. <Response><Say>Hello</Say></Response>'), from: phone('Caller ID') }, ['to', 'twiml']),
    tool('list_calls', 'read', 'List recent voice calls with status and duration', { status: str('Filter by status, e.g. completed, no-answer'), pageSize: int('Max results', { default: 20 }) }),
    tool('lookup_phone_number', 'read', 'Look up carrier, line type and caller name for a phone number', { phoneNumber: str('Phone number to look up') }, ['phoneNumber']),
    tool('start_verification', 'create', 'Send a one-time verification code by SMS, call or email using Twilio Verify', { to: str('Phone number or email'), channel: { type: 'string', enum: ['sms', 'call', 'email', 'whatsapp'], description: 'Delivery channel', default: 'sms' } }, ['to']),
  ],
});
