import type { CatalogTool } from '../../catalog/tool.js';
import { TOOL_HASH_VERSION, toolContentHashV1 } from '../../catalog/tool-hash.js';
import type { Pin } from '../../state/pin-store.js';
import { definitionOf } from './tool-definition.js';

/**
 * A pin recorded with an older content hash (version 1: no title, no outputSchema), carried over to the current
 * version when `tool` still matches it on everything that hash covered; `undefined` when the pin is current or the
 * tool changed (which then quarantines as any change does). The title and output schema the tool has at that moment
 * are pinned as seen: an upgrade must not quarantine every tool, and the old pin never recorded them.
 */
export function migratedPin(pin: Pin, tool: CatalogTool): Pin | undefined {
  if (pin.hashVersion === TOOL_HASH_VERSION || pin.hash !== toolContentHashV1(tool)) return undefined;
  return { ...pin, hash: tool.hash, hashVersion: TOOL_HASH_VERSION, definition: definitionOf(tool) };
}
