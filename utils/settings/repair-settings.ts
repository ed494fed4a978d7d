import { settingsSchema, type Settings } from './schema';
import { getPath, isPlainObject, setPath } from './object-path';
import { SETTINGS_FIELDS, type SettingField } from './settings-fields';

export interface RepairResult {
  settings: Settings;
  /** One line per value that was replaced or dropped, naming the setting. */
  problems: string[];
}

/**
 * Turns whatever was stored into valid settings, field by field: a value that fails validation
 * falls back to its own default and the problem is reported; everything else is kept. In a list,
 * a bad item is dropped alone. Values of secret fields are never quoted in problems.
 *
 * @example repairSettings({ advanced: { lookupTimeoutMs: -5 } }).settings.advanced.lookupTimeoutMs === 2000
 */
export function repairSettings(raw: unknown): RepairResult {
  const problems: string[] = [];
  const source = raw === undefined || raw === null ? {} : raw;
  if (!isPlainObject(source)) problems.push('The stored settings are not an object; all defaults are used.');
  const input = isPlainObject(source) ? source : {};
  problems.push(...unknownKeys(input));

  const assembled: Record<string, unknown> = {};
  for (const field of SETTINGS_FIELDS) {
    setPath(assembled, field.path, repairField(field, getPath(input, field.path), problems));
  }
  // Every leaf is valid on its own and the schema has no cross-field rules, so this cannot fail.
  return { settings: settingsSchema.parse(assembled), problems };
}

/** One field's value: valid as stored, or repaired item by item, or its default. */
export function repairField(field: SettingField, value: unknown, problems: string[]): unknown {
  const parsed = field.schema.safeParse(value);
  if (parsed.success) return parsed.data;
  if (field.element && Array.isArray(value)) {
    const kept = value.flatMap((item, index) => {
      const one = field.element!.safeParse(item);
      if (!one.success) problems.push(`${field.path}[${index}]: ${describe(one.error)}; the item was dropped.`);
      return one.success ? [one.data] : [];
    });
    const again = field.schema.safeParse(kept);
    if (again.success) return again.data;
  }
  problems.push(`${field.path}: ${describe(parsed.error)}; the default is used.`);
  return field.defaultValue;
}

function describe(error: { issues: { message: string; path: PropertyKey[] }[] }): string {
  return error.issues
    .map((issue) => (issue.path.length ? `${issue.path.map(String).join('.')}: ${issue.message}` : issue.message))
    .join('; ');
}

function unknownKeys(input: Record<string, unknown>): string[] {
  const known = new Set(SETTINGS_FIELDS.flatMap((f) => [f.section, f.path]));
  const problems: string[] = [];
  for (const [section, group] of Object.entries(input)) {
    if (!known.has(section)) problems.push(`${section}: unknown setting, ignored.`);
    else if (!isPlainObject(group)) problems.push(`${section}: not a group of settings; its defaults are used.`);
    else {
      for (const key of Object.keys(group)) {
        if (!known.has(`${section}.${key}`)) problems.push(`${section}.${key}: unknown setting, ignored.`);
      }
    }
  }
  return problems;
}
