// Modelled on microsoft/playwright-mcp: browser_* tools driven by accessibility-snapshot element refs.
import { bool, defineServer, int, list, num, oneOf, str, tool } from '../dsl.js';

const target = { element: str('Human-readable element description used to obtain permission to interact with the element'), ref: str('Exact target element reference from the page snapshot') };

export default defineServer({
  name: 'playwright',
  openWorld: true,
  schemaStyle: 'zod',
  tools: [
    tool('browser_navigate', 'read', 'Navigate to a URL', { url: str('The URL to navigate to') }, ['url'], 'Navigate to a URL'),
    tool('browser_navigate_back', 'read', 'Go back to the previous page', {}, [], 'Go back'),
    tool('browser_snapshot', 'read', 'Capture accessibility snapshot of the current page, this is better than screenshot', {}, [], 'Page snapshot'),
    tool('browser_take_screenshot', 'read', 'Take a screenshot of the current page. You can\'t perform actions based on the screenshot, use browser_snapshot for actions.', { type: oneOf(['png', 'jpeg'], 'Image format for the screenshot. Default is png.', { default: 'png' }), filename: str('File name to save the screenshot to. Defaults to `page-{timestamp}.{png|jpeg}` if not specified.'), element: str('Human-readable element description used to obtain permission to screenshot the element. If not provided, the screenshot will be taken of viewport.'), ref: str('Exact target element reference from the page snapshot.'), fullPage: bool('When true, takes a screenshot of the full scrollable page, instead of the currently visible viewport.') }, [], 'Take a screenshot'),
    tool('browser_click', 'update', 'Perform click on a web page', { ...target, doubleClick: bool('Whether to perform a double click instead of a single click'), button: oneOf(['left', 'right', 'middle'], 'Button to click, defaults to left'), modifiers: list({ type: 'string', enum: ['Alt', 'Control', 'ControlOrMeta', 'Meta', 'Shift'] }, 'Modifier keys to press') }, ['element', 'ref'], 'Click'),
    tool('browser_type', 'update', 'Type text into editable element', { ...target, text: str('Text to type into the element'), submit: bool('Whether to submit entered text (press Enter after)'), slowly: bool('Whether to type one character at a time. Useful for triggering key handlers in the page.') }, ['element', 'ref', 'text'], 'Type text'),
    tool('browser_fill_form', 'update', 'Fill multiple form fields', { fields: list({ type: 'object', properties: { name: str('Human-readable field name'), type: oneOf(['textbox', 'checkbox', 'radio', 'combobox', 'slider'], 'Type of the field'), ref: str('Exact target field reference from the page snapshot'), value: str('Value to fill in the field') }, required: ['name', 'type', 'ref', 'value'] }, 'Fields to fill in') }, ['fields'], 'Fill form'),
    tool('browser_select_option', 'update', 'Select an option in a dropdown', { ...target, values: list({ type: 'string' }, 'Array of values to select in the dropdown. This can be a single value or multiple values.') }, ['element', 'ref', 'values'], 'Select option'),
    tool('browser_hover', 'read', 'Hover over element on page', target, ['element', 'ref'], 'Hover mouse'),
    tool('browser_drag', 'update', 'Perform drag and drop between two elements', { startElement: str('Human-readable source element description'), startRef: str('Exact source element reference from the page snapshot'), endElement: str('Human-readable target element description'), endRef: str('Exact target element reference from the page snapshot') }, ['startElement', 'startRef', 'endElement', 'endRef'], 'Drag mouse'),
    tool('browser_press_key', 'update', 'Press a key on the keyboard', { key: str('Name of the key to press or a character to generate, such as `ArrowLeft` or `a`') }, ['key'], 'Press a key'),
    tool('browser_file_upload', 'update', 'Upload one or multiple files', { paths: list({ type: 'string' }, 'The absolute paths to the files to upload. Can be single file or multiple files. If omitted, file chooser is cancelled.') }, [], 'Upload files'),
    tool('browser_handle_dialog', 'update', 'Handle a dialog', { accept: bool('Whether to accept the dialog.'), promptText: str('The text of the prompt in case of a prompt dialog.') }, ['accept'], 'Handle a dialog'),
    tool('browser_evaluate', 'execute', 'Evaluate JavaScript expression on page or element', { function: str('() => { /* code */ } or (element) => { /* code */ } when element is provided'), element: target.element, ref: target.ref }, ['function'], 'Evaluate JavaScript'),
    tool('browser_console_messages', 'read', 'Returns all console messages', { onlyErrors: bool('Only return error messages') }, [], 'Get console messages'),
    tool('browser_network_requests', 'read', 'Returns all network requests since loading the page', {}, [], 'List network requests'),
    tool('browser_wait_for', 'read', 'Wait for text to appear or disappear or a specified time to pass', { time: num('The time to wait in seconds'), text: str('The text to wait for'), textGone: str('The text to wait for to disappear') }, [], 'Wait for'),
    tool('browser_tabs', 'update', 'List, create, close, or select a browser tab.', { action: oneOf(['list', 'new', 'close', 'select'], 'Operation to perform'), index: int('Tab index, used for close/select. If omitted for close, current tab is closed.') }, ['action'], 'Manage tabs'),
    tool('browser_resize', 'update', 'Resize the browser window', { width: num('Width of the browser window'), height: num('Height of the browser window') }, ['width', 'height'], 'Resize browser window'),
    tool('browser_pdf_save', 'read', 'Save page as PDF', { filename: str('File name to save the pdf to. Defaults to `page-{timestamp}.pdf` if not specified.') }, [], 'Save as PDF'),
    tool('browser_close', 'update', 'Close the page', {}, [], 'Close browser'),
    tool('browser_install', 'update', 'Install the browser specified in the config. Call this if you get an error about the browser not being installed.', {}, [], 'Install the browser specified in the config'),
  ],
});
