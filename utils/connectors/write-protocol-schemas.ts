import { mkdirSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import * as z from 'zod/mini';
import { clientFrame, PROTOCOL_VERSION, serverFrame } from './json-protocol';

/** Where the generated schemas are committed, relative to the project root. */
export const SCHEMA_DIR = 'docs/protocol-schemas';

/**
 * The JSON Schemas of protocol v1, generated from the zod definitions in json-protocol.ts (the
 * single source). `io: 'input'` describes what a peer may send: extra properties are allowed,
 * because receivers ignore fields they do not know.
 * @example protocolSchemas()['server-frame.json'].title // → 'CTI Pop event stream v1: server → extension frame'
 */
export function protocolSchemas(): Record<string, Record<string, unknown>> {
  const schema = (name: string, title: string, description: string, zodSchema: z.ZodMiniType) => ({
    $id: `https://cti-pop.org/protocol/v${PROTOCOL_VERSION}/${name}`,
    title,
    description,
    ...z.toJSONSchema(zodSchema, { io: 'input', target: 'draft-2020-12' }),
  });
  return {
    'server-frame.json': schema(
      'server-frame.json',
      `CTI Pop event stream v${PROTOCOL_VERSION}: server → extension frame`,
      'One JSON text frame (WebSocket message, or the data of one SSE event). Generated from utils/connectors/json-protocol.ts; do not edit.',
      serverFrame,
    ),
    'client-frame.json': schema(
      'client-frame.json',
      `CTI Pop event stream v${PROTOCOL_VERSION}: extension → server frame (WebSocket only)`,
      'One JSON text frame the extension sends on the WebSocket. Generated from utils/connectors/json-protocol.ts; do not edit.',
      clientFrame,
    ),
  };
}

/** Serialised as committed: two-space indent and a final newline. */
export function schemaText(schema: Record<string, unknown>): string {
  return `${JSON.stringify(schema, null, 2)}\n`;
}

// `npx tsx utils/connectors/write-protocol-schemas.ts` (from the project root) rewrites the files.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  mkdirSync(SCHEMA_DIR, { recursive: true });
  for (const [name, schema] of Object.entries(protocolSchemas())) {
    writeFileSync(`${SCHEMA_DIR}/${name}`, schemaText(schema));
    console.log(`wrote ${SCHEMA_DIR}/${name}`);
  }
}
