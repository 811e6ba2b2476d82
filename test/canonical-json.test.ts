import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../src/catalog/canonical-json.js';
import { exposedToolName } from '../src/catalog/naming.js';
import { toolContentHash } from '../src/catalog/tool-hash.js';

describe('tool identity', () => {
  it('serialises objects with sorted keys at every depth', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[2,{"y":2,"z":1}]},"b":1}',
    );
  });

  it('hashes equal tools alike whatever their key order, and differently when the description changes', () => {
    const a = toolContentHash({ name: 't', description: 'd', inputSchema: { type: 'object', properties: { x: {} } } });
    const b = toolContentHash({ inputSchema: { properties: { x: {} }, type: 'object' }, description: 'd', name: 't' });
    const c = toolContentHash({ name: 't', description: 'd!', inputSchema: { type: 'object', properties: { x: {} } } });
    expect(a).toBe(b);
    expect(a).not.toBe(c);
  });

  it('namespaces names as server__tool and shortens long ones with a stable hash suffix', () => {
    expect(exposedToolName('fs', 'read_file')).toBe('fs__read_file');
    const long = exposedToolName('a-very-long-server-name', 'an_extremely_long_tool_name_that_goes_past_the_limit_easily');
    expect(long.length).toBeLessThanOrEqual(64);
    expect(long).toBe(exposedToolName('a-very-long-server-name', 'an_extremely_long_tool_name_that_goes_past_the_limit_easily'));
    expect(long).not.toBe(exposedToolName('a-very-long-server-name', 'an_extremely_long_tool_name_that_goes_past_the_limit_easilY'));
    expect(exposedToolName('fs', 'weird name.v2')).toMatch(/^fs__weird_name_v2_[0-9a-f]{8}$/);
  });
});
