import { cleanValue } from '../templates/clean-value';
import { decodeReferences } from './xml-entities';
import { routeSchema, SET_FIELDS, setSchema, type Reply, type ReplyIssue, type SetField } from './reply-schema';
import { shown } from './scan-markup';

/** An element of fast-xml-parser's `preserveOrder` output: `{ [name]: children, ':@'?: attributes }`. */
type OrderedNode = Record<string, unknown>;
interface XmlElement {
  name: string;
  children: unknown[];
  attributes: string[];
}
type Report = (path: string, message: string) => void;

const ROUTE_FIELDS = ['type', 'name', 'break'] as const;
type RouteField = (typeof ROUTE_FIELDS)[number];
type RouteFields = Partial<Record<RouteField, XmlElement>>;
const NO_ROUTE = { route: null, break: false } as const;

/** Prefix the parser puts on tag and attribute names; self-closing tags get it twice (5.12.1). */
export const NAME_PREFIX = '~';
const unprefixed = (name: string) => name.replace(/^~+/, '');

/** Turns one parsed node into an element, or `undefined` for text, CDATA and anything else. */
export function elementOf(node: unknown): XmlElement | undefined {
  if (typeof node !== 'object' || node === null) return undefined;
  const record = node as OrderedNode;
  const name = Object.keys(record).find((key) => key !== ':@');
  if (name === undefined || !name.startsWith(NAME_PREFIX)) return undefined;
  const children = record[name];
  const attributes = record[':@'];
  return {
    name: unprefixed(name),
    children: Array.isArray(children) ? children : [],
    attributes: typeof attributes === 'object' && attributes !== null ? Object.keys(attributes).map(unprefixed) : [],
  };
}

/**
 * Reads the `<ipbx>` element into a Reply (CTI.md §3). Each bad `set` child is dropped alone, a bad
 * route block whole; a repeated tag keeps its first occurrence; every problem goes to `report`.
 */
export function readReplyTree(root: XmlElement, report: Report): Reply {
  reportAttributes(root, 'ipbx', report);
  let set: Reply['set'] = {};
  let routeBlock: XmlElement | undefined;
  const rootFields: RouteFields = {};
  const seen = new Set<string>();
  for (const child of childElements(root, 'ipbx', report)) {
    const path = `ipbx/${child.name}`;
    const isRouteField = (ROUTE_FIELDS as readonly string[]).includes(child.name);
    if (child.name !== 'set' && child.name !== 'route' && !isRouteField) {
      report(path, unknownTag(child.name, 'ipbx', ['set', 'route', 'or route fields type, name, break']));
    } else if (seen.has(child.name)) {
      report(path, repeated(child.name));
    } else {
      seen.add(child.name);
      if (child.name === 'set') set = readSet(child, report);
      else if (child.name === 'route') routeBlock = child;
      else rootFields[child.name as RouteField] = child;
    }
  }
  if (!routeBlock) return { set, ...readRoute(rootFields, 'ipbx', report) };
  for (const field of Object.keys(rootFields)) {
    report(`ipbx/${field}`, `<${field}> directly under <ipbx> is ignored because the reply also has a <route> block.`);
  }
  reportAttributes(routeBlock, 'ipbx/route', report);
  return { set, ...readRoute(routeFieldsOf(routeBlock, report), 'ipbx/route', report) };
}

function readSet(element: XmlElement, report: Report): Reply['set'] {
  reportAttributes(element, 'ipbx/set', report);
  const set: Partial<Record<SetField, string>> = {};
  const seen = new Set<string>();
  for (const child of childElements(element, 'ipbx/set', report)) {
    const path = `ipbx/set/${child.name}`;
    const field = SET_FIELDS.find((name) => name === child.name);
    if (!field) {
      report(path, unknownTag(child.name, 'set', SET_FIELDS));
      continue;
    }
    if (seen.has(field)) {
      report(path, repeated(field));
      continue;
    }
    seen.add(field);
    const value = valueOf(child, path, report);
    if (value === undefined) continue;
    // Empty means "leave unchanged" (CTI.md says so for record; we apply it to every field).
    const normalised = field === 'record' && value !== '' ? recordValue(value, path, report) : value;
    if (!normalised) continue;
    const checked = setSchema.shape[field].safeParse(normalised);
    if (checked.success && checked.data !== undefined) set[field] = checked.data;
    else report(path, `${checked.error?.issues[0]?.message ?? 'Invalid value.'} The value was dropped.`);
  }
  return set as Reply['set'];
}

function recordValue(value: string, path: string, report: Report): 'yes' | 'no' | undefined {
  if (value === 'yes' || value === '1') return 'yes';
  if (value === 'no') return 'no';
  if (value === '0') {
    report(path, 'record "0" was read as "no"; write <record>no</record>.');
    return 'no';
  }
  report(path, `record ${JSON.stringify(value.slice(0, 40))} is not yes, 1, no, 0 or empty; it was ignored.`);
  return undefined;
}

function routeFieldsOf(block: XmlElement, report: Report): RouteFields {
  const fields: RouteFields = {};
  for (const child of childElements(block, 'ipbx/route', report)) {
    const path = `ipbx/route/${child.name}`;
    const field = ROUTE_FIELDS.find((name) => name === child.name);
    if (!field) report(path, unknownTag(child.name, 'route', ROUTE_FIELDS));
    else if (fields[field]) report(path, repeated(field));
    else fields[field] = child;
  }
  return fields;
}

/** Reads the route fields; a bad one drops the route, and every problem of the block is reported, not just the first. */
function readRoute(fields: RouteFields, base: string, report: Report): Pick<Reply, 'route' | 'break'> {
  const values: Partial<Record<RouteField, string>> = {};
  let usable = true;
  for (const field of ROUTE_FIELDS) {
    const element = fields[field];
    if (!element) continue;
    const value = valueOf(element, `${base}/${field}`, report, ' The route was dropped.');
    if (value === undefined) usable = false;
    else values[field] = value;
  }
  const stop = fields.break && values.break === undefined ? undefined : breakValue(values.break ?? '', `${base}/break`, report);
  const { type = '', name = '' } = values;
  const typeBad = fields.type && values.type === undefined;
  const nameBad = fields.name && values.name === undefined;
  if (!typeBad && !nameBad && !type && !name) return stop === undefined || !usable ? NO_ROUTE : { route: null, break: stop };
  if (!typeBad && !nameBad && (!type || !name)) {
    report(base, `A route needs both <type> and <name>; <${type ? 'name' : 'type'}> is missing or empty. The route was dropped.`);
    usable = false;
  }
  const checked = routeSchema.safeParse({ type, name });
  if (!checked.success) {
    for (const issue of checked.error.issues) {
      const field = issue.path.join('/');
      // A field already reported as unreadable, or missing (reported above), is not reported twice.
      if ((field === 'type' && (typeBad || !type)) || (field === 'name' && (nameBad || !name))) continue;
      report(`${base}/${field}`, `${issue.message} The route was dropped.`);
    }
  }
  if (!usable || stop === undefined || !checked.success) return NO_ROUTE;
  return { route: checked.data, break: stop };
}

/** `<break>`: 0/1, missing or empty = 0; true/false tolerated with an issue. */
function breakValue(value: string, path: string, report: Report): boolean | undefined {
  if (value === '' || value === '0' || value === '1') return value === '1';
  if (value === 'true' || value === 'false') {
    report(path, `break "${value}" was read as ${value === 'true' ? 1 : 0}; write 0 or 1.`);
    return value === 'true';
  }
  report(path, `break ${JSON.stringify(value.slice(0, 40))} is not 0 or 1. The route was dropped.`);
  return undefined;
}

/** The element's text, decoded, trimmed and cleaned; `undefined` when it holds elements instead. */
function valueOf(element: XmlElement, path: string, report: Report, consequence = ' It was ignored.'): string | undefined {
  reportAttributes(element, path, report);
  let raw = '';
  for (const node of element.children) {
    const child = elementOf(node);
    if (child) {
      report(path, `<${element.name}> must hold text only but contains <${shown(child.name)}>.${consequence}`);
      return undefined;
    }
    raw += textOf(node);
  }
  const trimmed = raw.trim();
  const value = cleanValue(trimmed, Infinity).trim();
  if (value !== trimmed && value !== trimmed.normalize('NFC')) {
    const left = value ? '' : '; nothing was left (treated as empty)';
    report(path, `Control, bidi or broken characters were removed from the value${left}.`);
  }
  return value;
}

/** Text of a `#text` node (references decoded) or a `#cdata` node (taken literally). */
function textOf(node: unknown): string {
  const record = node as OrderedNode;
  const text = record['#text'];
  if (text !== undefined) return decodeReferences(String(text));
  const cdata = record['#cdata'];
  return Array.isArray(cdata) ? cdata.map((part) => String((part as OrderedNode)['#text'] ?? '')).join('') : '';
}

function* childElements(element: XmlElement, path: string, report: Report): Generator<XmlElement> {
  for (const node of element.children) {
    const child = elementOf(node);
    if (child) {
      yield child;
      continue;
    }
    const text = textOf(node).trim();
    if (text) report(path, `Text ${JSON.stringify(text.slice(0, 40))} directly inside <${element.name}> is ignored.`);
  }
}

function reportAttributes(element: XmlElement, path: string, report: Report) {
  if (element.attributes.length === 0) return;
  const names = element.attributes.slice(0, 5).map(shown).join(', ');
  report(path, `Attributes ignored (${names}${element.attributes.length > 5 ? ', …' : ''}): CTI replies use none.`);
}

function unknownTag(name: string, parent: string, accepted: readonly string[]): string {
  return `Unknown tag <${shown(name)}> ignored; <${parent}> takes ${accepted.join(', ')}.`;
}

function repeated(name: string): string {
  return `<${name}> appears more than once; the first one is used and this one ignored.`;
}
