import { toJSONSchema } from 'zod/mini';
import { settingsSchema } from './schema';

/**
 * Chrome validates `managed_schema` strictly and refuses to load the extension when the schema
 * uses a keyword it does not know (it implements a subset of JSON Schema draft 03), so only
 * these keywords are kept. `default`, `maxLength`, `maxItems`, `required` and
 * `additionalProperties` are dropped: the extension applies defaults and limits itself (a
 * policy value that fails them is ignored and reported, see mergePolicy).
 */
const CHROME_KEYWORDS = new Set(['type', 'properties', 'items', 'enum', 'minimum', 'maximum', 'pattern', 'title', 'description']);

type JsonSchema = { [key: string]: unknown };

/** The policy schema for `storage.managed`, generated from the settings schema; secrets left out. */
export function managedSchemaFromSettings(): JsonSchema {
  return chromeSubset(toJSONSchema(settingsSchema, { io: 'input' }) as JsonSchema);
}

function chromeSubset(schema: JsonSchema): JsonSchema {
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (!CHROME_KEYWORDS.has(key)) continue;
    if (key === 'properties') {
      const entries = Object.entries(value as Record<string, JsonSchema>).filter(([, child]) => child.secret !== true);
      out.properties = Object.fromEntries(entries.map(([name, child]) => [name, chromeSubset(child)]));
    } else if (key === 'items') out.items = chromeSubset(value as JsonSchema);
    else out[key] = value;
  }
  return out;
}

/** The file content written to public/managed_schema.json. */
export function managedSchemaFile(): string {
  return `${JSON.stringify(managedSchemaFromSettings(), null, 2)}\n`;
}
