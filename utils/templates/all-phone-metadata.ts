import full from 'libphonenumber-js/metadata.min.json';
import { addPhoneMetadata, addPhoneMetadataIndex, phoneMetadataIndex, splitPhoneMetadata } from './phone-metadata';

/**
 * Every country's number plan at once, for Node (CLI, tests, benches) and pages where 90 kB does
 * not matter. The background worker loads parts on demand instead (entrypoints/background/phone.ts).
 */
export function loadAllPhoneMetadata(): void {
  addPhoneMetadataIndex(phoneMetadataIndex(full));
  for (const [code, part] of splitPhoneMetadata(full)) addPhoneMetadata(code, part);
}
