import type { Settings } from './schema';
import { isPlainObject, getPath, setPath } from './object-path';
import { diffFromDefaults } from './settings-diff';
import { migrateSettings, SETTINGS_VERSION } from './migrate-settings';
import { repairSettings } from './repair-settings';
import { SETTINGS_FIELDS } from './settings-fields';

const FORMAT = 'cti-pop-settings';

/**
 * The settings as a JSON file a person can keep or share: only values that differ from the
 * defaults, and no secrets unless `includeSecrets` is set.
 */
export function exportSettings(settings: Settings, opts: { includeSecrets?: boolean } = {}): string {
  const isSecret = (path: string) => SETTINGS_FIELDS.some((f) => f.path === path && f.secret);
  const values = diffFromDefaults(settings, { skip: opts.includeSecrets ? undefined : isSecret });
  return `${JSON.stringify({ format: FORMAT, version: SETTINGS_VERSION, settings: values }, null, 2)}\n`;
}

export type ImportResult =
  | { ok: true; settings: Settings; problems: string[]; /** The stored secret was not carried over: ask for it again. */ secretDropped: boolean }
  | { ok: false; error: string };

/**
 * Reads an exported file (or a bare settings object), migrates and repairs it field by field.
 * Secrets the file does not carry keep their current values while the connection still goes to
 * the same kind and origin, so exporting without secrets and importing again does not log anyone
 * out; otherwise they are dropped (`secretDropped`).
 */
export function importSettings(text: string, current: Settings): ImportResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    return { ok: false, error: `The file is not valid JSON: ${(cause as Error).message}` };
  }
  if (!isPlainObject(parsed)) return { ok: false, error: 'The file does not contain a settings object.' };
  const wrapped = parsed.format === FORMAT;
  const version = wrapped && typeof parsed.version === 'number' ? parsed.version : 1;
  const migrated = migrateSettings(wrapped ? parsed.settings : parsed, version);
  if (!migrated.ok) return { ok: false, error: migrated.error };

  const values = structuredClone(migrated.value);
  // Start from the defaults, not from `current`: an import describes the whole configuration.
  const { settings, problems } = repairSettings(values);
  // The stored secret belongs to the server it was typed for: a file that points the connection
  // elsewhere (another kind or origin) must not receive it, so the user is asked again.
  const sameServer = settings.connection.kind === current.connection.kind && originOf(settings.connection.url) === originOf(current.connection.url);
  let secretDropped = false;
  for (const field of SETTINGS_FIELDS) {
    if (!field.secret || getPath(values, field.path) !== undefined) continue;
    if (sameServer) setPath(settings as unknown as Record<string, unknown>, field.path, getPath(current, field.path));
    else secretDropped ||= getPath(current, field.path) !== '';
  }
  if (secretDropped) problems.push('The file connects to another server (kind or address changed): enter the PBX secret again before saving.');
  return { ok: true, settings, problems, secretDropped };
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}
