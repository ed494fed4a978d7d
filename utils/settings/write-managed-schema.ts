/**
 * Node tool: writes public/managed_schema.json from the settings schema.
 * Run `npx tsx utils/settings/write-managed-schema.ts` after changing utils/settings/schema.ts;
 * test/unit/settings/managed-schema.test.ts fails while the committed file is stale.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { managedSchemaFile } from './managed-schema';

const target = fileURLToPath(new URL('../../public/managed_schema.json', import.meta.url));
writeFileSync(target, managedSchemaFile());
console.log(`Wrote ${target}`);
