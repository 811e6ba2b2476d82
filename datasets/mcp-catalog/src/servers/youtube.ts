// Modelled on YouTube MCP servers (ZubeidHendricks/youtube-mcp-server, anaisbetts/mcp-youtube): search, details, transcripts.
import { defineServer, int, oneOf, str, tool } from '../dsl.js';

export default defineServer({
  name: 'youtube',
  openWorld: true,
  schemaStyle: 'zod',
  tools: [
    tool('videos_searchVideos', 'read', 'Search for videos on YouTube', { query: str('Search query'), maxResults: int('Maximum number of results to return', { default: 10 }), order: oneOf(['relevance', 'date', 'viewCount', 'rating'], 'Sort order') }, ['query']),
    tool('videos_getVideo', 'read', 'Get detailed information about a YouTube video (title, channel, duration, views, likes)', { videoId: str('The YouTube video ID') }, ['videoId']),
    tool('transcripts_getTranscript', 'read', 'Get the transcript (captions) of a YouTube video', { videoId: str('The YouTube video ID'), language: str('Language code for the transcript', { default: 'en' }) }, ['videoId']),
    tool('channels_getChannel', 'read', 'Get information about a YouTube channel', { channelId: str('The YouTube channel ID') }, ['channelId']),
    tool('channels_listVideos', 'read', 'Get the latest videos uploaded by a channel', { channelId: str('The YouTube channel ID'), maxResults: int('Maximum number of videos', { default: 10 }) }, ['channelId']),
    tool('playlists_getPlaylistItems', 'read', 'Get the videos in a YouTube playlist', { playlistId: str('The YouTube playlist ID'), maxResults: int('Maximum number of items', { default: 50 }) }, ['playlistId']),
    tool('comments_listComments', 'read', 'List the top-level comments on a video', { videoId: str('The YouTube video ID'), maxResults: int('Maximum comments', { default: 20 }), order: oneOf(['time', 'relevance'], 'Sort order', { default: 'relevance' }) }, ['videoId']),
  ],
});
