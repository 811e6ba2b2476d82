// Modelled on the MCP quickstart weather server (get_alerts / get_forecast over api.weather.gov) and Open-Meteo servers.
import { defineServer, int, num, oneOf, str, tool } from '../dsl.js';

const point = { latitude: num('Latitude of the location'), longitude: num('Longitude of the location') };

export default defineServer({
  name: 'weather',
  openWorld: true,
  schemaStyle: 'pydantic',
  tools: [
    tool('get_alerts', 'read', 'Get weather alerts for a US state.\n\n    Args:\n        state: Two-letter US state code (e.g. CA, NY)\n    ', { state: str('Two-letter US state code (e.g. CA, NY)', { minLength: 2, maxLength: 2 }) }, ['state']),
    tool('get_forecast', 'read', 'Get weather forecast for a location.\n\n    Args:\n        latitude: Latitude of the location\n        longitude: Longitude of the location\n    ', point, ['latitude', 'longitude']),
    tool('get_current_weather', 'read', 'Current conditions (temperature, wind, precipitation, humidity) for a city or coordinates', { location: str('City name, e.g. "Lisbon" or "Austin, TX"'), units: oneOf(['metric', 'imperial'], 'Units', { default: 'metric' }) }, ['location']),
    tool('get_air_quality', 'read', 'Air quality index and pollutant levels (PM2.5, PM10, ozone) for coordinates', { ...point, hours: int('Forecast hours to include', { default: 24 }) }, ['latitude', 'longitude']),
    tool('get_historical_weather', 'read', 'Daily historical weather (min/max temperature, precipitation) for coordinates and a date range', { ...point, start_date: str('First day (YYYY-MM-DD)', { format: 'date' }), end_date: str('Last day (YYYY-MM-DD)', { format: 'date' }) }, ['latitude', 'longitude', 'start_date', 'end_date']),
  ],
});
