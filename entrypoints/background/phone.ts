import { browser } from 'wxt/browser';
import { setPhoneMetadataLoader, type PhoneMetadataIndex, type PhoneMetadataPart } from '@/utils/templates/phone-metadata';

type PublicPath = Parameters<typeof browser.runtime.getURL>[0];

/**
 * Number plans come from the packaged `phone-metadata/<calling code>.json` files (written by the
 * build from libphonenumber-js, see wxt.config.ts), one calling code at a time, when a call needs
 * them, after `phone-metadata/index.json` (which countries share each code): background.js
 * carries none of them.
 */
export function usePackagedPhoneMetadata(): void {
  setPhoneMetadataLoader({
    index: () => packaged<PhoneMetadataIndex>('index'),
    part: (code) => packaged<PhoneMetadataPart>(code),
  });
}

async function packaged<T>(name: string): Promise<T> {
  const response = await fetch(browser.runtime.getURL(`/phone-metadata/${name}.json` as PublicPath));
  if (!response.ok) throw new Error(`phone-metadata/${name}.json: HTTP ${response.status}`);
  return (await response.json()) as T;
}
