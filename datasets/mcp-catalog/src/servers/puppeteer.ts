// Modelled on the reference Puppeteer server (modelcontextprotocol/servers-archived): puppeteer_* tools driven by CSS selectors.
import { defineServer, int, record, str, tool } from '../dsl.js';

export default defineServer({
  name: 'puppeteer',
  openWorld: true,
  schemaStyle: 'plain',
  tools: [
    tool('puppeteer_navigate', 'read', 'Navigate to a URL', { url: str('URL to navigate to'), launchOptions: record('PuppeteerJS LaunchOptions. Default null. If changed and not null, browser restarts. Example: { headless: true, args: [\'--no-sandbox\'] }'), allowDangerous: { type: 'boolean', description: 'Allow dangerous LaunchOptions that reduce security. When false, dangerous args like --no-sandbox will throw errors. Default false.' } }, ['url']),
    tool('puppeteer_screenshot', 'read', 'Take a screenshot of the current page or a specific element', { name: str('Name for the screenshot'), selector: str('CSS selector for element to screenshot'), width: int('Width in pixels (default: 800)'), height: int('Height in pixels (default: 600)'), encoded: { type: 'boolean', description: 'If true, capture the screenshot as a base64-encoded data URI (as text) instead of binary image content. Default false.' } }, ['name']),
    tool('puppeteer_click', 'update', 'Click an element on the page', { selector: str('CSS selector for element to click') }, ['selector']),
    tool('puppeteer_fill', 'update', 'Fill out an input field', { selector: str('CSS selector for input field'), value: str('Value to fill') }, ['selector', 'value']),
    tool('puppeteer_select', 'update', 'Select an element on the page with Select tag', { selector: str('CSS selector for element to select'), value: str('Value to select') }, ['selector', 'value']),
    tool('puppeteer_hover', 'read', 'Hover an element on the page', { selector: str('CSS selector for element to hover') }, ['selector']),
    tool('puppeteer_evaluate', 'execute', 'Execute JavaScript in the browser console', { script: str('JavaScript code to execute') }, ['script']),
  ],
});
