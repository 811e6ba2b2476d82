// Modelled on the reference Google Maps server (modelcontextprotocol/servers-archived): maps_* tools.
import { defineServer, list, num, obj, oneOf, str, tool } from '../dsl.js';

export default defineServer({
  name: 'google-maps',
  openWorld: true,
  schemaStyle: 'plain',
  tools: [
    tool('maps_geocode', 'read', 'Convert an address into geographic coordinates', { address: str('The address to geocode') }, ['address']),
    tool('maps_reverse_geocode', 'read', 'Convert coordinates into an address', { latitude: num('Latitude coordinate'), longitude: num('Longitude coordinate') }, ['latitude', 'longitude']),
    tool('maps_search_places', 'read', 'Search for places using Google Places API', { query: str('Search query'), location: obj({ latitude: num('Latitude'), longitude: num('Longitude') }, 'Optional center point for the search'), radius: num('Search radius in meters (max 50000)') }, ['query']),
    tool('maps_place_details', 'read', 'Get detailed information about a specific place', { place_id: str('The place ID to get details for') }, ['place_id']),
    tool('maps_distance_matrix', 'read', 'Calculate travel distance and time for multiple origins and destinations', { origins: list({ type: 'string' }, 'Array of origin addresses or coordinates'), destinations: list({ type: 'string' }, 'Array of destination addresses or coordinates'), mode: oneOf(['driving', 'walking', 'bicycling', 'transit'], 'Travel mode (driving, walking, bicycling, transit)') }, ['origins', 'destinations']),
    tool('maps_elevation', 'read', 'Get elevation data for locations on the earth', { locations: list({ type: 'object', properties: { latitude: { type: 'number' }, longitude: { type: 'number' } }, required: ['latitude', 'longitude'] }, 'Array of locations to get elevation for') }, ['locations']),
    tool('maps_directions', 'read', 'Get directions between two points', { origin: str('Starting point address or coordinates'), destination: str('Ending point address or coordinates'), mode: oneOf(['driving', 'walking', 'bicycling', 'transit'], 'Travel mode (driving, walking, bicycling, transit)') }, ['origin', 'destination']),
  ],
});
