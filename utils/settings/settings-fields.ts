import { z } from 'zod';
import { settingsSchema } from './schema';

export type FieldKind = 'text' | 'secret' | 'template' | 'number' | 'boolean' | 'choice' | 'list' | 'records';

/** One leaf of the settings schema, as the form, the repair step and the policy merge see it. */
export interface SettingField {
  /** Dotted path, e.g. `connection.url`; inside a record list it is the list's path plus the key. */
  path: string;
  /** The top-level group (`connection`, `cti`, …). */
  section: string;
  kind: FieldKind;
  /** The leaf schema with its default: `schema.parse(undefined)` gives the default. */
  schema: z.ZodType;
  defaultValue: unknown;
  options?: readonly string[];
  min?: number;
  max?: number;
  maxLength?: number;
  pattern?: RegExp;
  template?: 'call' | 'cdr';
  secret: boolean;
  /** Set only by administrator policy: the user's own value is never used (e.g. allowing unencrypted PBX connections). */
  policyOnly: boolean;
  /** For `list` and `records`: the schema of one item, so a bad item can be dropped alone. */
  element?: z.ZodType;
  /** For `records` (a list of objects): the fields of one record. */
  itemFields?: SettingField[];
}

/** Every leaf of a zod object schema, in declaration order. */
export function fieldsOf(schema: z.ZodType, prefix = '', section = ''): SettingField[] {
  const object = unwrap(schema);
  if (!(object instanceof z.ZodObject)) throw new Error(`${prefix || 'settings'} is not an object schema`);
  return Object.entries(object.shape as Record<string, z.ZodType>).flatMap(([key, child]) => {
    const path = prefix ? `${prefix}.${key}` : key;
    if (unwrap(child) instanceof z.ZodObject) return fieldsOf(child, path, section || key);
    return [leafField(child, path, section || key)];
  });
}

function leafField(schema: z.ZodType, path: string, section: string): SettingField {
  const meta = metaOf(schema);
  const inner = unwrap(schema);
  const base = { path, section, schema, defaultValue: schema.safeParse(undefined).data, secret: meta.secret === true, policyOnly: meta.policyOnly === true };
  if (inner instanceof z.ZodBoolean) return { ...base, kind: 'boolean' };
  if (inner instanceof z.ZodEnum) return { ...base, kind: 'choice', options: inner.options as string[] };
  if (inner instanceof z.ZodNumber) {
    return { ...base, kind: 'number', min: finite(inner.minValue), max: finite(inner.maxValue) };
  }
  if (inner instanceof z.ZodString) {
    const template = meta.template === 'call' || meta.template === 'cdr' ? meta.template : undefined;
    const kind = base.secret ? 'secret' : template ? 'template' : 'text';
    return { ...base, kind, template, maxLength: finite(inner.maxLength), pattern: patternOf(inner) };
  }
  if (inner instanceof z.ZodArray) {
    const element = inner.element as z.ZodType;
    if (unwrap(element) instanceof z.ZodObject) {
      return { ...base, kind: 'records', element, itemFields: fieldsOf(element, path, section) };
    }
    return { ...base, kind: 'list', element };
  }
  throw new Error(`The settings form has no control for ${path}`);
}

/** Strips default/prefault/optional wrappers. */
function unwrap(schema: z.ZodType): z.ZodType {
  let node = schema;
  while (node instanceof z.ZodDefault || node instanceof z.ZodPrefault || node instanceof z.ZodOptional) {
    node = node.unwrap() as z.ZodType;
  }
  return node;
}

/** `.meta()` may sit on any wrapper layer (`.default('').meta({…})` registers the default). */
function metaOf(schema: z.ZodType): Record<string, unknown> {
  let node: z.ZodType = schema;
  const found: Record<string, unknown> = {};
  for (;;) {
    // Outer layers win: they are what the schema author wrote last.
    for (const [key, value] of Object.entries(node.meta() ?? {})) if (!(key in found)) found[key] = value;
    if (node instanceof z.ZodDefault || node instanceof z.ZodPrefault || node instanceof z.ZodOptional) {
      node = node.unwrap() as z.ZodType;
    } else return found;
  }
}

function patternOf(schema: z.ZodString): RegExp | undefined {
  const json = z.toJSONSchema(schema) as { pattern?: string };
  return json.pattern ? new RegExp(json.pattern) : undefined;
}

function finite(value: number | null | undefined): number | undefined {
  return value !== null && value !== undefined && Number.isFinite(value) && Math.abs(value) < Number.MAX_SAFE_INTEGER
    ? value
    : undefined;
}

/** The settings' leaves, computed once from the one schema. */
export const SETTINGS_FIELDS: readonly SettingField[] = fieldsOf(settingsSchema);

/** The top-level groups in schema order: connection, cti, behaviour, numbers, advanced. */
export const SETTINGS_SECTIONS: readonly string[] = [...new Set(SETTINGS_FIELDS.map((f) => f.section))];
