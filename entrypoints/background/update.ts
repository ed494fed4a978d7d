import { browser } from 'wxt/browser';
import { migrateStoredSettings } from '@/utils/adapters/settings-storage';

/** storage.local key: the last update, for support ("which version did this profile come from?") and the update test. */
export const LAST_UPDATE_KEY = 'lastUpdate';

export interface LastUpdate {
  from: string | undefined;
  to: string;
  at: number;
  settingsVersion: number | undefined;
  problems: string[];
}

/**
 * The browser replaced the extension while it ran (onInstalled, reason "update"). Calls, history
 * and queued post-call records are kept as they are (their stored shapes are read by this version
 * too); the settings are migrated here, before anyone needs them.
 */
export async function onUpdated(previousVersion: string | undefined): Promise<void> {
  const { settingsVersion, problems } = await migrateStoredSettings();
  const record: LastUpdate = { from: previousVersion, to: browser.runtime.getManifest().version, at: Date.now(), settingsVersion, problems };
  await browser.storage.local.set({ [LAST_UPDATE_KEY]: record });
}
