import { isPlainObject } from './object-path';
import { describeError } from '../result';

/** The shape version the current code writes. Bump it together with a new entry in SETTINGS_MIGRATIONS. */
export const SETTINGS_VERSION = 1;

/** One small pure step from the shape of version `to - 1` to the shape of version `to`. */
export interface SettingsMigration {
  to: number;
  migrate: (stored: Record<string, unknown>) => Record<string, unknown>;
}

/** Ordered; version 1 is the first shape, so there is nothing to migrate yet. */
export const SETTINGS_MIGRATIONS: readonly SettingsMigration[] = [];

export type MigrationResult =
  | { ok: true; value: Record<string, unknown>; version: number }
  /** `value`/`version` are the last good state: a failed step never advances the version. */
  | { ok: false; error: string; value: Record<string, unknown>; version: number };

/**
 * Runs every step above `fromVersion` in order. Refuses to downgrade: settings written by a newer
 * CTI Pop are returned untouched with an error, so this version does not overwrite them.
 */
export function migrateSettings(
  stored: unknown,
  fromVersion: number,
  migrations: readonly SettingsMigration[] = SETTINGS_MIGRATIONS,
  target: number = SETTINGS_VERSION,
): MigrationResult {
  let value = isPlainObject(stored) ? stored : {};
  if (fromVersion > target) {
    return {
      ok: false,
      error: `The settings were saved by a newer CTI Pop (settings version ${fromVersion}, this one knows ${target}); update the extension.`,
      value,
      version: fromVersion,
    };
  }
  let version = fromVersion;
  for (const step of migrations) {
    if (step.to <= version || step.to > target) continue;
    try {
      value = step.migrate(structuredClone(value));
    } catch (cause) {
      const message = describeError(cause);
      return { ok: false, error: `Updating the settings to version ${step.to} failed: ${message}`, value, version };
    }
    version = step.to;
  }
  return { ok: true, value, version };
}
