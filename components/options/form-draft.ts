import type { Settings } from '@/utils/settings/schema';
import { getPath } from '@/utils/settings/object-path';
import type { SettingsPatch } from '@/utils/settings/settings-diff';
import { SETTINGS_FIELDS } from '@/utils/settings/settings-fields';
import { fieldError, type FieldError } from './field-error';

/**
 * The form's working copy. Secrets start empty (a stored secret is never put back into the page);
 * `editedSecrets` holds the paths the user typed into or cleared.
 */
export interface FormDraft {
  values: Settings;
  editedSecrets: Set<string>;
}

/** A draft from loaded settings, secrets blanked. */
export function draftFrom(settings: Settings): FormDraft {
  const values = structuredClone(settings);
  values.connection.secret = '';
  return { values, editedSecrets: new Set() };
}

/** What Save stores: everything in the form except secrets the user did not touch. */
export function draftToPatch(draft: FormDraft): SettingsPatch {
  const patch = structuredClone(draft.values) as Record<string, Record<string, unknown>>;
  for (const field of SETTINGS_FIELDS) {
    if (!field.secret || draft.editedSecrets.has(field.path)) continue;
    const [section, key] = field.path.split('.') as [string, string];
    delete patch[section]?.[key];
  }
  return patch as SettingsPatch;
}

/** Every invalid value, by dotted path; record fields as `list.index.key`. Locked fields are skipped. */
export function draftErrors(values: Settings, locked: ReadonlySet<string>): Map<string, FieldError> {
  const errors = new Map<string, FieldError>();
  for (const field of SETTINGS_FIELDS) {
    if (locked.has(field.path)) continue;
    const value = getPath(values, field.path);
    if (field.kind === 'records' && Array.isArray(value)) {
      value.forEach((record, index) => {
        for (const item of field.itemFields ?? []) {
          const key = item.path.slice(field.path.length + 1);
          const error = fieldError(item, (record as Record<string, unknown>)[key]);
          if (error) errors.set(`${field.path}.${index}.${key}`, error);
        }
      });
      continue;
    }
    const error = fieldError(field, value);
    if (error) errors.set(field.path, error);
  }
  return errors;
}
