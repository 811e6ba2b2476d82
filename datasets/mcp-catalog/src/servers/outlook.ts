// Modelled on Softeria/ms-365-mcp-server: kebab-case Microsoft Graph tools for Outlook mail, calendar and contacts.
import { bool, defineServer, int, list, oneOf, str, tool } from '../dsl.js';

const odata = { top: int('Show only the first n items'), filter: str('Filter items by property values ($filter)'), search: str('Search items by search phrases ($search)'), select: list({ type: 'string' }, 'Select properties to be returned') };
const message = { subject: str('The subject of the message.'), body: { type: 'object', properties: { contentType: oneOf(['text', 'html'], 'The type of the content.'), content: str('The content of the item.') }, description: 'The body of the message.' }, toRecipients: list({ type: 'object', properties: { emailAddress: { type: 'object', properties: { address: { type: 'string' }, name: { type: 'string' } } } } }, 'The To: recipients for the message.'), ccRecipients: list({ type: 'object' }, 'The Cc: recipients for the message.') };

export default defineServer({
  name: 'outlook',
  openWorld: true,
  schemaStyle: 'zod',
  tools: [
    tool('list-mail-messages', 'read', 'Get the messages in the signed-in user\'s mailbox (including the Deleted Items and Clutter folders).', odata),
    tool('list-mail-folder-messages', 'read', 'Get all the messages in the specified mail folder of the user.', { mailFolderId: str('Key: id of mailFolder (e.g. inbox, sentitems, drafts)'), ...odata }, ['mailFolderId']),
    tool('get-mail-message', 'read', 'Retrieve the properties and relationships of a message object.', { messageId: str('Key: id of message') }, ['messageId']),
    tool('send-mail', 'create', 'Send the message specified in the request body using either JSON or MIME format.', { Message: { type: 'object', properties: message, description: 'The message to send' }, SaveToSentItems: bool('Indicates whether to save the message in Sent Items. The default is true.') }, ['Message']),
    tool('create-draft-email', 'create', 'Create a draft of a new message in the Drafts folder.', message),
    tool('reply-mail-message', 'create', 'Reply to the sender of a message. The reply is saved in the Sent Items folder.', { messageId: str('Key: id of message'), comment: str('A comment to include. Can be an empty string.') }, ['messageId']),
    tool('move-mail-message', 'update', 'Move a message to another folder within the specified user\'s mailbox.', { messageId: str('Key: id of message'), DestinationId: str('The destination folder ID, or a well-known folder name (e.g. archive, deleteditems).') }, ['messageId', 'DestinationId']),
    tool('delete-mail-message', 'delete', 'Delete a message in the specified user\'s mailbox, or delete a relationship of the message.', { messageId: str('Key: id of message') }, ['messageId']),
    tool('list-mail-folders', 'read', 'Get the mail folder collection directly under the root folder of the signed-in user.', odata),
    tool('list-mail-attachments', 'read', 'Retrieve a list of attachment objects attached to a message.', { messageId: str('Key: id of message') }, ['messageId']),
    tool('list-calendar-events', 'read', 'Retrieve a list of events in the user\'s default Outlook calendar.', odata),
    tool('create-calendar-event', 'create', 'Create an event in the user\'s default Outlook calendar.', { subject: str('The text of the event\'s subject line.'), start: { type: 'object', properties: { dateTime: { type: 'string' }, timeZone: { type: 'string' } }, description: 'The start date, time, and time zone of the event.' }, end: { type: 'object', properties: { dateTime: { type: 'string' }, timeZone: { type: 'string' } }, description: 'The date, time, and time zone that the event ends.' }, attendees: list({ type: 'object' }, 'The collection of attendees for the event.'), isOnlineMeeting: bool('True if this event has online meeting information') }, ['subject', 'start', 'end']),
    tool('list-outlook-contacts', 'read', 'Get contacts in the user\'s mailbox.', odata),
  ],
});
