import { browser } from 'wxt/browser';
import type { Settings } from '../settings/schema';
import { mergePolicy } from '../settings/merge-policy';
import { migrateSettings, SETTINGS_VERSION } from '../settings/migrate-settings';
import { repairSettings } from '../settings/repair-settings';
import { applyPatch, diffFromDefaults, type SettingsPatch } from '../settings/settings-diff';
import { getPath, setPath } from '../settings/object-path';
import { describeError, type Result } from '../result';

/** storage.local keys; value and version are always written in one `set`. */
const SETTINGS_KEY = 'settings';
const VERSION_KEY = 'settingsVersion';

export interface LoadedSettings {
  /** What the extension runs with: the user's values with policy laid over them. */
  settings: Settings;
  /** The user's own values, before policy. */
  user: Settings;
  /** Dotted paths set (and locked) by policy. */
  locked: Set<string>;
  /** Repairs, migration and policy problems, one sentence each. */
  problems: string[];
}

/** Reads, migrates, repairs and applies policy. Never throws on bad stored data. */
export async function loadSettings(): Promise<LoadedSettings> {
  const [stored, managed] = await Promise.all([browser.storage.local.get([SETTINGS_KEY, VERSION_KEY]), readPolicy()]);
  const version = typeof stored[VERSION_KEY] === 'number' ? stored[VERSION_KEY] : SETTINGS_VERSION;
  const migrated = migrateSettings(stored[SETTINGS_KEY], version);
  const repaired = repairSettings(migrated.value);
  if (migrated.ok && migrated.version !== version) {
    await browser.storage.local.set({ [SETTINGS_KEY]: diffFromDefaults(repaired.settings), [VERSION_KEY]: migrated.version });
  }
  const policy = mergePolicy(repaired.settings, managed.value);
  return {
    settings: policy.settings,
    user: repaired.settings,
    locked: policy.locked,
    problems: [...(migrated.ok ? [] : [migrated.error]), ...managed.problems, ...repaired.problems, ...policy.problems],
  };
}

export type SaveResult = Result<LoadedSettings>;

/**
 * Lays `patch` over the user's stored values and stores what differs from the defaults. Fields
 * locked by policy are not written (the user's own value stays, for when the policy goes away).
 * Refuses, storing nothing, when a value is invalid.
 */
export async function saveSettings(patch: SettingsPatch): Promise<SaveResult> {
  const current = await loadSettings();
  const merged = applyPatch(current.user, patch);
  for (const path of current.locked) setPath(merged, path, getPath(current.user, path));
  const { settings, problems } = repairSettings(merged);
  if (problems.length) return { ok: false, error: problems.join('\n') };
  const stored = await browser.storage.local.get(VERSION_KEY);
  if (typeof stored[VERSION_KEY] === 'number' && stored[VERSION_KEY] > SETTINGS_VERSION) {
    return { ok: false, error: 'The settings were saved by a newer CTI Pop; update the extension before changing them.' };
  }
  await browser.storage.local.set({ [SETTINGS_KEY]: diffFromDefaults(settings), [VERSION_KEY]: SETTINGS_VERSION });
  return { ok: true, value: await loadSettings() };
}

/** Calls `onChange` with freshly loaded settings whenever the user's values or the policy change. */
export function subscribeSettings(onChange: (loaded: LoadedSettings) => void, signal: AbortSignal): void {
  const listener = (changes: Record<string, unknown>, area: string) => {
    if (area === 'managed' || (area === 'local' && (SETTINGS_KEY in changes || VERSION_KEY in changes))) {
      void loadSettings().then((loaded) => {
        if (!signal.aborted) onChange(loaded);
      });
    }
  };
  browser.storage.onChanged.addListener(listener);
  signal.addEventListener('abort', () => browser.storage.onChanged.removeListener(listener), { once: true });
}

/**
 * Chrome resolves `{}` when no policy is set; Firefox rejects with "Managed storage manifest not
 * found" unless an enterprise policy exists (TOOLCHAIN.md §6), which means "no policy" too.
 */
async function readPolicy(): Promise<{ value: unknown; problems: string[] }> {
  try {
    return { value: await browser.storage.managed.get(null), problems: [] };
  } catch (cause) {
    const message = describeError(cause);
    if (/manifest not found/i.test(message)) return { value: {}, problems: [] };
    return { value: {}, problems: [`Administrator policy could not be read (${message}); it is not applied.`] };
  }
}

/**
 * Brings the stored settings to the current shape now, for `onInstalled` with reason "update":
 * reading migrates and stores them (idempotent, so the worker's own first read may race it).
 * Returns the settings version stored afterwards and the problems met.
 */
export async function migrateStoredSettings(): Promise<{ settingsVersion: number | undefined; problems: string[] }> {
  const { problems } = await loadSettings();
  const stored = await browser.storage.local.get(VERSION_KEY);
  return { settingsVersion: typeof stored[VERSION_KEY] === 'number' ? stored[VERSION_KEY] : undefined, problems };
}
