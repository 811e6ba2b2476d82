// Modelled on the reference Slack server (slack_* tools, channel_id/thread_ts) plus the search and canvas tools of newer ones.
import { bool, defineServer, int, list, str, tool } from '../dsl.js';

const channel = { channel_id: str('The ID of the channel') };

export default defineServer({
  name: 'slack',
  openWorld: true,
  schemaStyle: 'plain',
  tools: [
    tool('slack_list_channels', 'read', 'List public or pre-defined channels in the workspace with pagination', { limit: int('Maximum number of channels to return (default 100, max 200)', { default: 100 }), cursor: str('Pagination cursor for next page of results') }),
    tool('slack_post_message', 'create', 'Post a new message to a Slack channel', { ...channel, text: str('The message text to post') }, ['channel_id', 'text']),
    tool('slack_reply_to_thread', 'create', 'Reply to a specific message thread in Slack', { ...channel, thread_ts: str('The timestamp of the parent message in the format \'1234567890.123456\'. Timestamps in the format without the period can be converted by adding the period such that 6 numbers come after it.'), text: str('The reply text') }, ['channel_id', 'thread_ts', 'text']),
    tool('slack_add_reaction', 'create', 'Add a reaction emoji to a message', { channel_id: str('The ID of the channel containing the message'), timestamp: str('The timestamp of the message to react to'), reaction: str('The name of the emoji reaction (without ::)') }, ['channel_id', 'timestamp', 'reaction']),
    tool('slack_get_channel_history', 'read', 'Get recent messages from a channel', { ...channel, limit: int('Number of messages to retrieve (default 10)', { default: 10 }) }, ['channel_id']),
    tool('slack_get_thread_replies', 'read', 'Get all replies in a message thread', { channel_id: str('The ID of the channel containing the thread'), thread_ts: str('The timestamp of the parent message in the format \'1234567890.123456\'.') }, ['channel_id', 'thread_ts']),
    tool('slack_get_users', 'read', 'Get a list of all users in the workspace with their basic profile information', { cursor: str('Pagination cursor for next page of results'), limit: int('Maximum number of users to return (default 100, max 200)', { default: 100 }) }),
    tool('slack_get_user_profile', 'read', 'Get detailed profile information for a specific user', { user_id: str('The ID of the user') }, ['user_id']),
    tool('slack_search_messages', 'read', 'Search messages across the workspace. Supports Slack search modifiers such as in:#channel, from:@user, before:/after:YYYY-MM-DD, has:link.', { query: str('Search query, e.g. "deploy failed in:#ops after:2024-05-01"'), sort: str('Sort by "score" or "timestamp"'), count: int('Results per page (max 100)', { maximum: 100 }) }, ['query']),
    tool('slack_update_message', 'update', 'Edit the text of a message the bot previously posted', { ...channel, ts: str('Timestamp of the message to edit'), text: str('New message text') }, ['channel_id', 'ts', 'text']),
    tool('slack_delete_message', 'delete', 'Delete a message the bot previously posted', { ...channel, ts: str('Timestamp of the message to delete') }, ['channel_id', 'ts']),
    tool('slack_create_channel', 'create', 'Create a new public or private channel', { name: str('Channel name: lowercase, no spaces or periods, max 80 characters'), is_private: bool('Create a private channel', { default: false }) }, ['name']),
    tool('slack_archive_channel', 'update', 'Archive a channel. Archived channels are read-only and can be unarchived later; nothing is deleted.', channel, ['channel_id']),
    tool('slack_invite_to_channel', 'update', 'Invite one or more users to a channel', { ...channel, user_ids: list({ type: 'string' }, 'IDs of the users to invite') }, ['channel_id', 'user_ids']),
    tool('slack_set_channel_topic', 'update', 'Set the topic of a channel', { ...channel, topic: str('New topic text') }, ['channel_id', 'topic']),
    tool('slack_schedule_message', 'create', 'Schedule a message to be sent to a channel at a later time', { ...channel, text: str('Message text'), post_at: int('Unix timestamp (seconds) when the message should be posted') }, ['channel_id', 'text', 'post_at']),
    tool('slack_upload_file', 'create', 'Upload a file or text snippet and share it in a channel', { ...channel, filename: str('Name of the file'), content: str('File content as text'), initial_comment: str('Message to post with the file') }, ['channel_id', 'filename', 'content']),
  ],
});
