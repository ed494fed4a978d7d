import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { protocolSchemas, schemaText, SCHEMA_DIR } from '../../../utils/connectors/write-protocol-schemas';

const root = new URL('../../../', import.meta.url);
const committed = (name: string) => readFileSync(new URL(`${SCHEMA_DIR}/${name}`, root), 'utf8');

/** Every `const` of a `type` property anywhere in a schema: the frame types it documents. */
function frameTypes(node: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(node)) node.forEach((n) => frameTypes(n, out));
  else if (node && typeof node === 'object') {
    const props = (node as { properties?: { type?: { const?: unknown } } }).properties;
    if (typeof props?.type?.const === 'string') out.add(props.type.const);
    Object.values(node).forEach((n) => frameTypes(n, out));
  }
  return out;
}

describe('protocol JSON schemas', () => {
  it.each(Object.keys(protocolSchemas()))('docs/protocol-schemas/%s is what json-protocol.ts generates (run: npx tsx utils/connectors/write-protocol-schemas.ts)', (name) => {
    expect(committed(name)).toBe(schemaText(protocolSchemas()[name]!));
  });

  it('documents every frame type, both ways', () => {
    const s = protocolSchemas();
    expect([...frameTypes(s['server-frame.json'])].sort()).toEqual(['call', 'control-result', 'dial-result', 'error', 'heartbeat', 'hello', 'pong', 'snapshot']);
    expect([...frameTypes(s['client-frame.json'])].sort()).toEqual(['auth', 'control', 'dial', 'ping']);
  });

  it('lets servers and clients add fields: no object forbids unknown properties', () => {
    expect(JSON.stringify(protocolSchemas())).not.toContain('"additionalProperties":false');
  });
});
