import type { Settings } from './schema';
import { getPath, setPath } from './object-path';
import { SETTINGS_FIELDS } from './settings-fields';

export interface PolicyMerge {
  settings: Settings;
  /** Dotted paths set by policy; the options page shows them locked. */
  locked: Set<string>;
  problems: string[];
}

/**
 * Lays administrator policy (`storage.managed`) over the user's settings: each valid policy value
 * wins and locks its field; an invalid one is ignored and reported, the user's value stays.
 * Secrets are never taken from policy (policy is readable by every user of the machine);
 * policy-only fields are never taken from the user.
 *
 * @example mergePolicy(user, { connection: { url: 'wss://pbx' } }).locked.has('connection.url') === true
 */
export function mergePolicy(user: Settings, managed: unknown): PolicyMerge {
  const settings = structuredClone(user);
  const locked = new Set<string>();
  const problems: string[] = [];
  for (const field of SETTINGS_FIELDS) {
    // A crafted settings file or a user cannot grant what only an administrator may.
    if (field.policyOnly) setPath(settings as unknown as Record<string, unknown>, field.path, structuredClone(field.defaultValue));
    const value = getPath(managed, field.path);
    if (value === undefined) continue;
    if (field.secret) {
      problems.push(`${field.path}: secrets cannot be set by policy; the policy value is ignored.`);
      continue;
    }
    const parsed = field.schema.safeParse(value);
    if (!parsed.success) {
      problems.push(`${field.path}: the policy value is invalid (${parsed.error.issues[0]?.message}); it is ignored.`);
      continue;
    }
    setPath(settings as unknown as Record<string, unknown>, field.path, parsed.data);
    locked.add(field.path);
  }
  return { settings, locked, problems };
}
