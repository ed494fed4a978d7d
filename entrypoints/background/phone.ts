import { browser } from 'wxt/browser';
import { setPhoneMetadataLoader, type PhoneMetadataPart } from '@/utils/templates/phone-metadata';

type PublicPath = Parameters<typeof browser.runtime.getURL>[0];

/**
 * Number plans come from the packaged `phone-metadata/<calling code>.json` files (written by the
 * build from libphonenumber-js, see wxt.config.ts), one calling code at a time, when a call needs
 * them: background.js carries none of them.
 */
export function usePackagedPhoneMetadata(): void {
  setPhoneMetadataLoader(async (code) => {
    const response = await fetch(browser.runtime.getURL(`/phone-metadata/${code}.json` as PublicPath));
    if (!response.ok) throw new Error(`phone-metadata/${code}.json: HTTP ${response.status}`);
    return (await response.json()) as PhoneMetadataPart;
  });
}
