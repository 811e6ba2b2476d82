// Modelled on the Microsoft 365 MCP servers (Softeria ms-365-mcp-server): kebab-case Graph-shaped tools.
import { defineServer, int, oneOf, str, tool } from '../dsl.js';

const top = { top: int('Show only the first n items'), filter: str('OData $filter expression') };
const body = { content: str('Message content (HTML or text)'), contentType: oneOf(['text', 'html'], 'Format of content', { default: 'text' }) };

export default defineServer({
  name: 'teams',
  openWorld: true,
  schemaStyle: 'zod',
  tools: [
    tool('list-joined-teams', 'read', 'Get the teams in Microsoft Teams that the user is a direct member of.', top),
    tool('get-team', 'read', 'Retrieve the properties and relationships of the specified team.', { teamId: str('Key: id of team') }, ['teamId']),
    tool('list-team-channels', 'read', 'Retrieve the list of channels in this team.', { teamId: str('Key: id of team'), ...top }, ['teamId']),
    tool('list-team-members', 'read', 'Get the conversationMember collection of a team.', { teamId: str('Key: id of team'), ...top }, ['teamId']),
    tool('list-channel-messages', 'read', 'Retrieve the list of messages (without the replies) in a channel of a team.', { teamId: str('Key: id of team'), channelId: str('Key: id of channel'), ...top }, ['teamId', 'channelId']),
    tool('get-channel-message', 'read', 'Retrieve a single message or a message reply in a channel or a chat.', { teamId: str('Key: id of team'), channelId: str('Key: id of channel'), chatMessageId: str('Key: id of chatMessage') }, ['teamId', 'channelId', 'chatMessageId']),
    tool('send-channel-message', 'create', 'Send a new chatMessage in the specified channel.', { teamId: str('Key: id of team'), channelId: str('Key: id of channel'), ...body }, ['teamId', 'channelId', 'content']),
    tool('reply-to-channel-message', 'create', 'Send a new reply to a chatMessage in a specified channel.', { teamId: str('Key: id of team'), channelId: str('Key: id of channel'), chatMessageId: str('Key: id of chatMessage'), ...body }, ['teamId', 'channelId', 'chatMessageId', 'content']),
    tool('list-chats', 'read', 'Retrieve the list of chats that the user is part of.', top),
    tool('get-chat', 'read', 'Retrieve a single chat (without its messages).', { chatId: str('Key: id of chat') }, ['chatId']),
    tool('list-chat-messages', 'read', 'Retrieve the list of messages in a chat.', { chatId: str('Key: id of chat'), ...top }, ['chatId']),
    tool('send-chat-message', 'create', 'Send a new chatMessage in the specified chat.', { chatId: str('Key: id of chat'), ...body }, ['chatId', 'content']),
    tool('create-channel', 'create', 'Create a new channel in a team, as specified in the request body.', { teamId: str('Key: id of team'), displayName: str('Channel name as it will appear to the user in Microsoft Teams.'), description: str('Optional textual description for the channel.'), membershipType: oneOf(['standard', 'private', 'shared'], 'The type of the channel.') }, ['teamId', 'displayName']),
    tool('create-online-meeting', 'create', 'Create an online Teams meeting on behalf of the user, returning the join URL.', { subject: str('Meeting subject'), startDateTime: str('Start time', { format: 'date-time' }), endDateTime: str('End time', { format: 'date-time' }) }, ['subject', 'startDateTime', 'endDateTime']),
  ],
});
