import type { Settings } from './schema';
import { getPath, setPath } from './object-path';
import { SETTINGS_FIELDS } from './settings-fields';

/** A nested object holding some settings; what storage and exports contain. */
export type SettingsPatch = { [S in keyof Settings]?: Partial<Settings[S]> };

/**
 * Only the values that differ from their defaults, so a better default later reaches everyone
 * who never changed it.
 *
 * @example diffFromDefaults(DEFAULT_SETTINGS) // → {}
 */
export function diffFromDefaults(settings: Settings, opts: { skip?: (path: string) => boolean } = {}): SettingsPatch {
  const out: Record<string, unknown> = {};
  for (const field of SETTINGS_FIELDS) {
    if (opts.skip?.(field.path)) continue;
    const value = getPath(settings, field.path);
    if (!sameValue(value, field.defaultValue)) setPath(out, field.path, value);
  }
  return out as SettingsPatch;
}

/** Lays a patch over settings; lists are replaced whole, never merged item by item. */
export function applyPatch(base: Settings, patch: SettingsPatch): Record<string, unknown> {
  const out = structuredClone(base) as unknown as Record<string, unknown>;
  for (const field of SETTINGS_FIELDS) {
    const value = getPath(patch, field.path);
    if (value !== undefined) setPath(out, field.path, structuredClone(value));
  }
  return out;
}

/** Structural equality for JSON-like values (settings hold only strings, numbers, booleans, lists, records). */
export function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
