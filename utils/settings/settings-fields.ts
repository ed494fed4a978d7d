import * as z from 'zod/mini';
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
  schema: z.ZodMiniType;
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
  element?: z.ZodMiniType;
  /** For `records` (a list of objects): the fields of one record. */
  itemFields?: SettingField[];
}

/** Every leaf of a zod object schema, in declaration order. */
export function fieldsOf(schema: z.ZodMiniType, prefix = '', section = ''): SettingField[] {
  const object = unwrap(schema);
  if (!(object instanceof z.ZodMiniObject)) throw new Error(`${prefix || 'settings'} is not an object schema`);
  return Object.entries(object.def.shape as Record<string, z.ZodMiniType>).flatMap(([key, child]) => {
    const path = prefix ? `${prefix}.${key}` : key;
    if (unwrap(child) instanceof z.ZodMiniObject) return fieldsOf(child, path, section || key);
    return [leafField(child, path, section || key)];
  });
}

function leafField(schema: z.ZodMiniType, path: string, section: string): SettingField {
  const meta = metaOf(schema);
  const inner = unwrap(schema);
  const bag = limitsOf(inner);
  const base = { path, section, schema, defaultValue: schema.safeParse(undefined).data, secret: meta.secret === true, policyOnly: meta.policyOnly === true };
  if (inner instanceof z.ZodMiniBoolean) return { ...base, kind: 'boolean' };
  if (inner instanceof z.ZodMiniEnum) return { ...base, kind: 'choice', options: Object.values(inner.def.entries) as string[] };
  if (inner instanceof z.ZodMiniNumber) return { ...base, kind: 'number', min: finite(bag.minimum), max: finite(bag.maximum) };
  if (inner instanceof z.ZodMiniString) {
    const template = meta.template === 'call' || meta.template === 'cdr' ? meta.template : undefined;
    const kind = base.secret ? 'secret' : template ? 'template' : 'text';
    return { ...base, kind, template, maxLength: finite(bag.maxLength), pattern: bag.pattern };
  }
  if (inner instanceof z.ZodMiniArray) {
    const element = inner.def.element as z.ZodMiniType;
    if (unwrap(element) instanceof z.ZodMiniObject) {
      return { ...base, kind: 'records', element, itemFields: fieldsOf(element, path, section) };
    }
    return { ...base, kind: 'list', element };
  }
  throw new Error(`The settings form has no control for ${path}`);
}

interface Limits {
  minimum?: number;
  maximum?: number;
  maxLength?: number;
  pattern?: RegExp;
}

/** The limits the schema's checks enforce (`z.minimum`, `z.maximum`, `z.maxLength`, `z.regex`). */
function limitsOf(schema: z.ZodMiniType): Limits {
  const limits: Limits = {};
  for (const check of schema._zod.def.checks ?? []) {
    const def = check._zod.def as { check: string; value?: number; maximum?: number; format?: string; pattern?: RegExp };
    if (def.check === 'greater_than') limits.minimum = def.value;
    else if (def.check === 'less_than') limits.maximum = def.value;
    else if (def.check === 'max_length') limits.maxLength = def.maximum;
    else if (def.check === 'string_format' && def.format === 'regex') limits.pattern = def.pattern;
  }
  return limits;
}

type Wrapper = z.ZodMiniDefault | z.ZodMiniPrefault | z.ZodMiniOptional;
const isWrapper = (node: z.ZodMiniType): node is Wrapper =>
  node instanceof z.ZodMiniDefault || node instanceof z.ZodMiniPrefault || node instanceof z.ZodMiniOptional;

/** Strips default/prefault/optional wrappers. */
function unwrap(schema: z.ZodMiniType): z.ZodMiniType {
  let node = schema;
  while (isWrapper(node)) node = node.def.innerType as z.ZodMiniType;
  return node;
}

/** `z.meta()` may sit on any wrapper layer (`text(…).check(z.meta({…}))` registers the default). */
function metaOf(schema: z.ZodMiniType): Record<string, unknown> {
  let node: z.ZodMiniType = schema;
  const found: Record<string, unknown> = {};
  for (;;) {
    // Outer layers win: they are what the schema author wrote last.
    for (const [key, value] of Object.entries(z.globalRegistry.get(node) ?? {})) if (!(key in found)) found[key] = value;
    if (isWrapper(node)) node = node.def.innerType as z.ZodMiniType;
    else return found;
  }
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
