// Modelled on community Discord MCP servers (e.g. barryyip0625/mcp-discord): discord_* tools addressed by guild and channel IDs.
import { defineServer, int, str, tool } from '../dsl.js';

export default defineServer({
  name: 'discord',
  openWorld: true,
  schemaStyle: 'zod',
  tools: [
    tool('discord_login', 'update', 'Logs in to Discord using the configured token', { token: str('Discord bot token (optional if configured)') }),
    tool('discord_send', 'create', 'Sends a message to a specified Discord text channel', { channelId: str('Discord channel ID'), message: str('Message content'), replyToMessageId: str('ID of a message to reply to') }, ['channelId', 'message']),
    tool('discord_read_messages', 'read', 'Retrieves messages from a Discord text channel with a configurable limit', { channelId: str('Discord channel ID'), limit: int('Number of messages to fetch (1-100)', { minimum: 1, maximum: 100, default: 50 }) }, ['channelId']),
    tool('discord_get_server_info', 'read', 'Retrieves detailed information about a Discord server (guild): channels, member count, roles', { guildId: str('Discord server (guild) ID') }, ['guildId']),
    tool('discord_create_text_channel', 'create', 'Creates a new text channel in a Discord server with an optional topic', { guildId: str('Discord server ID'), channelName: str('Name of the channel'), topic: str('Channel topic') }, ['guildId', 'channelName']),
    tool('discord_delete_channel', 'delete', 'Deletes a Discord channel with an optional reason', { channelId: str('ID of the channel to delete'), reason: str('Reason for deletion (shown in the audit log)') }, ['channelId']),
    tool('discord_delete_message', 'delete', 'Deletes a specific message from a Discord text channel', { channelId: str('Channel ID'), messageId: str('ID of the message to delete'), reason: str('Reason for deletion') }, ['channelId', 'messageId']),
    tool('discord_add_reaction', 'create', 'Adds an emoji reaction to a specific Discord message', { channelId: str('Channel ID'), messageId: str('Message ID'), emoji: str('Emoji (Unicode or custom emoji name)') }, ['channelId', 'messageId', 'emoji']),
    tool('discord_get_forum_channels', 'read', 'Lists all forum channels in a specified Discord server (guild)', { guildId: str('Discord server ID') }, ['guildId']),
    tool('discord_create_forum_post', 'create', 'Creates a new post in a Discord forum channel with optional tags', { forumChannelId: str('Forum channel ID'), title: str('Post title'), content: str('Post body'), tags: { type: 'array', items: { type: 'string' }, description: 'Names of forum tags to apply' } }, ['forumChannelId', 'title', 'content']),
    tool('discord_reply_to_forum', 'create', 'Adds a reply to an existing forum post or thread', { threadId: str('Forum post / thread ID'), message: str('Reply content') }, ['threadId', 'message']),
    tool('discord_create_webhook', 'create', 'Creates a new webhook for a Discord channel', { channelId: str('Channel ID'), name: str('Webhook name'), avatar: str('Avatar image URL', { format: 'uri' }) }, ['channelId', 'name']),
    tool('discord_send_webhook_message', 'create', 'Sends a message to a Discord channel using a webhook', { webhookId: str('Webhook ID'), webhookToken: str('Webhook token'), content: str('Message content'), username: str('Override the webhook username') }, ['webhookId', 'webhookToken', 'content']),
  ],
});
