// Modelled on marcelmarais/spotify-mcp-server: playback control, search, playlists.
import { defineServer, int, list, oneOf, str, tool } from '../dsl.js';

export default defineServer({
  name: 'spotify',
  openWorld: true,
  schemaStyle: 'zod',
  tools: [
    tool('searchSpotify', 'read', 'Search for tracks, albums, artists, or playlists on Spotify', { query: str('The search query'), type: oneOf(['track', 'album', 'artist', 'playlist'], 'The type of item to search for either track, album, artist, or playlist'), limit: int('Maximum number of results to return (10-50)', { minimum: 1, maximum: 50 }) }, ['query', 'type']),
    tool('getNowPlaying', 'read', 'Get information about the currently playing track on Spotify', {}),
    tool('getMyPlaylists', 'read', 'Get a list of the current user\'s playlists on Spotify', { limit: int('Maximum number of playlists to return (1-50)') }),
    tool('getPlaylistTracks', 'read', 'Get a list of tracks in a Spotify playlist', { playlistId: str('The Spotify ID of the playlist'), limit: int('Maximum number of tracks to return (1-50)') }, ['playlistId']),
    tool('getRecentlyPlayed', 'read', 'Get a list of recently played tracks on Spotify', { limit: int('Maximum number of tracks to return (1-50)') }),
    tool('playMusic', 'update', 'Start playing a Spotify track, album, artist, or playlist', { uri: str('The Spotify URI to play (overrides type and id)'), type: oneOf(['track', 'album', 'artist', 'playlist'], 'The type of item to play'), id: str('The Spotify ID of the item to play'), deviceId: str('The Spotify device ID to play on') }),
    tool('pausePlayback', 'update', 'Pause Spotify playback on the active device', { deviceId: str('The Spotify device ID to pause playback on') }),
    tool('skipToNext', 'update', 'Skip to the next track in the current Spotify playback queue', { deviceId: str('The Spotify device ID') }),
    tool('skipToPrevious', 'update', 'Skip to the previous track in the current Spotify playback queue', { deviceId: str('The Spotify device ID') }),
    tool('createPlaylist', 'create', 'Create a new playlist on Spotify', { name: str('The name of the playlist'), description: str('The description of the playlist'), public: { type: 'boolean', description: 'Whether the playlist should be public' } }, ['name']),
    tool('addTracksToPlaylist', 'create', 'Add tracks to a Spotify playlist', { playlistId: str('The Spotify ID of the playlist'), trackIds: list({ type: 'string' }, 'Array of Spotify track IDs to add'), position: int('Position to insert the tracks (0-based index)') }, ['playlistId', 'trackIds']),
    tool('addToQueue', 'create', 'Adds a track, album, artist or playlist to the playback queue', { uri: str('The Spotify URI to queue'), type: oneOf(['track', 'album', 'artist', 'playlist'], 'The type of item to queue'), id: str('The Spotify ID of the item') }),
    tool('setVolume', 'update', 'Set the playback volume of the active device', { volumePercent: int('Volume 0-100', { minimum: 0, maximum: 100 }) }, ['volumePercent']),
  ],
});
