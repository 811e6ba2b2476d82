// Modelled on GongRzhe/Gmail-MCP-Server: snake_case tools, Gmail search syntax, label management and filters.
import { defineServer, int, list, oneOf, str, tool } from '../dsl.js';

const emails = list({ type: 'string' }, 'List of recipient email addresses');
const compose = { to: emails, subject: str('Email subject'), body: str('Email body content (used for text/plain or when htmlBody not provided)'), htmlBody: str('HTML version of the email body'), mimeType: oneOf(['text/plain', 'text/html', 'multipart/alternative'], 'Email content type', { default: 'text/plain' }), cc: list({ type: 'string' }, 'List of CC recipients'), bcc: list({ type: 'string' }, 'List of BCC recipients'), threadId: str('Thread ID to reply to'), inReplyTo: str('Message ID being replied to'), attachments: list({ type: 'string' }, 'List of file paths to attach to the email') };

export default defineServer({
  name: 'gmail',
  openWorld: true,
  schemaStyle: 'zod',
  tools: [
    tool('send_email', 'create', 'Sends a new email', compose, ['to', 'subject', 'body']),
    tool('draft_email', 'create', 'Draft a new email', compose, ['to', 'subject', 'body']),
    tool('read_email', 'read', 'Retrieves the content of a specific email', { messageId: str('ID of the email message to retrieve') }, ['messageId']),
    tool('search_emails', 'read', 'Searches for emails using Gmail search syntax', { query: str('Gmail search query (e.g., \'from:example@gmail.com\')'), maxResults: int('Maximum number of results to return') }, ['query']),
    tool('modify_email', 'update', 'Modifies email labels (move to different folders)', { messageId: str('ID of the email message to modify'), labelIds: list({ type: 'string' }, 'List of label IDs to apply'), addLabelIds: list({ type: 'string' }, 'List of label IDs to add to the message'), removeLabelIds: list({ type: 'string' }, 'List of label IDs to remove from the message') }, ['messageId']),
    tool('delete_email', 'delete', 'Permanently deletes an email', { messageId: str('ID of the email message to delete') }, ['messageId']),
    tool('list_email_labels', 'read', 'Retrieves all available Gmail labels', {}),
    tool('batch_modify_emails', 'update', 'Modifies labels for multiple emails in batches', { messageIds: list({ type: 'string' }, 'List of message IDs to modify'), addLabelIds: list({ type: 'string' }, 'List of label IDs to add to all messages'), removeLabelIds: list({ type: 'string' }, 'List of label IDs to remove from all messages'), batchSize: int('Number of messages to process in each batch (default: 50)', { default: 50 }) }, ['messageIds']),
    tool('batch_delete_emails', 'delete', 'Permanently deletes multiple emails in batches', { messageIds: list({ type: 'string' }, 'List of message IDs to delete'), batchSize: int('Number of messages to process in each batch (default: 50)', { default: 50 }) }, ['messageIds']),
    tool('create_label', 'create', 'Creates a new Gmail label', { name: str('Name for the new label'), messageListVisibility: oneOf(['show', 'hide'], 'Whether to show or hide the label in the message list'), labelListVisibility: oneOf(['labelShow', 'labelShowIfUnread', 'labelHide'], 'Visibility of the label in the label list') }, ['name']),
    tool('delete_label', 'delete', 'Deletes a Gmail label', { id: str('ID of the label to delete') }, ['id']),
    tool('create_filter', 'create', 'Creates a new Gmail filter with custom criteria and actions', { criteria: { type: 'object', description: 'Criteria for matching emails', properties: { from: str('Sender email address to match'), to: str('Recipient email address to match'), subject: str('Subject text to match'), query: str('Gmail search query (e.g., \'has:attachment\')'), hasAttachment: { type: 'boolean', description: 'Whether to match emails with attachments' } } }, action: { type: 'object', description: 'Actions to perform on matching emails', properties: { addLabelIds: list({ type: 'string' }, 'Label IDs to add to matching emails'), removeLabelIds: list({ type: 'string' }, 'Label IDs to remove from matching emails'), forward: str('Email address to forward matching emails to') } } }, ['criteria', 'action']),
    tool('list_filters', 'read', 'Retrieves all Gmail filters', {}),
    tool('download_attachment', 'read', 'Downloads an email attachment to a specified location', { messageId: str('ID of the email message containing the attachment'), attachmentId: str('ID of the attachment to download'), filename: str('Filename to save the attachment as (if not provided, uses original filename)'), savePath: str('Directory path to save the attachment (defaults to current directory)') }, ['messageId', 'attachmentId']),
  ],
});
