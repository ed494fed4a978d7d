import type { SettingField } from '@/utils/settings/settings-fields';

/** An i18n key with substitutions, for a value the schema would reject. */
export interface FieldError {
  key: string;
  subs: (string | number)[];
}

/**
 * Says in words why a value is not accepted, using the field's limits from the schema.
 *
 * @example fieldError(lookupTimeoutField, 5) // → { key: 'error_range', subs: [100, 30000] }
 */
export function fieldError(field: SettingField, value: unknown): FieldError | undefined {
  if (field.schema.safeParse(value).success) return undefined;
  if (field.kind === 'number') {
    if (typeof value !== 'number' || !Number.isInteger(value)) return { key: 'error_number', subs: [] };
    return { key: 'error_range', subs: [field.min ?? '', field.max ?? ''] };
  }
  if (typeof value === 'string') {
    if (field.maxLength !== undefined && value.length > field.maxLength) return { key: 'error_too_long', subs: [field.maxLength] };
    if (field.pattern && !field.pattern.test(value)) return { key: 'error_format', subs: [] };
  }
  if (Array.isArray(value)) return { key: 'error_list', subs: [] };
  return { key: 'error_invalid', subs: [] };
}
