import { cleanValue } from './clean-value';
import { CALL_VARIABLES, type Variables } from './variables';

export type ExpandResult =
  | { ok: true; url: string; warnings: string[] }
  | { ok: false; reason: string; warnings: string[] };

/** Where a `%%name%%` token sits in the raw template. */
export type TokenPlace = 'scheme' | 'userinfo' | 'host' | 'port' | 'path' | 'query-name' | 'query-value' | 'fragment';

export interface TemplateToken {
  name: string;
  start: number;
  end: number;
  place: TokenPlace;
  /** For `path` tokens: index of the raw path segment (split on `/`), so tokens can be grouped. */
  segment: number;
}

export interface Span {
  start: number;
  end: number;
}

/** The raw template cut into URL components by character offsets, before any parsing. */
export interface TemplateScan {
  /** `%%name%%` with a valid lower-case name (known or not). */
  tokens: TemplateToken[];
  /** `%%Name%%`-like text that is not a variable (capitals) and stays literal. */
  lookalikes: Span[];
  /** Up to but excluding the `:`; undefined when the template does not start with `scheme:`. */
  scheme?: Span;
  userinfo?: Span;
  path: Span;
}

const TOKEN = /%%([A-Za-z0-9_]+)%%/g;
const VALID_NAME = /^[a-z0-9_]+$/;
const ALLOWED_PROTOCOLS = new Set(['http:', 'https:']);

/**
 * Fills `%%name%%` variables in a CTI URL template (CTI.md §2, substitution rules 1-4): one pass
 * over the raw template, values cleaned and percent-encoded, unknown tokens left as written (with
 * a warning), and refused when the template is not a literal http(s) origin or a value would
 * change the URL's structure. `opts.known` defaults to CALL_VARIABLES.
 *
 * @example expandTemplate('https://crm.example/search?q=%%calleridnumber%%', { calleridnumber: '+49 30' })
 *   // → { ok: true, url: 'https://crm.example/search?q=%2B49%2030', warnings: [] }
 */
export function expandTemplate(
  template: string,
  variables: Variables,
  opts: { known?: readonly string[] } = {},
): ExpandResult {
  const known = new Set<string>(opts.known ?? CALL_VARIABLES);
  const scan = scanTemplate(template);
  const warnings = unique([
    ...scan.tokens.filter((t) => !known.has(t.name)).map((t) => `Unknown variable %%${t.name}%% was left as written.`),
    ...scan.lookalikes.map(
      (s) => `${template.slice(s.start, s.end)} is not a variable (names are lower case) and was left as written.`,
    ),
  ]);
  const refuse = (reason: string): ExpandResult => ({ ok: false, reason, warnings });

  const shape = checkTemplateShape(template, scan, known);
  if (!shape.ok) return refuse(shape.error);

  const values = new Map<string, string>();
  const valueOf = (name: string) => {
    let value = values.get(name);
    if (value === undefined) values.set(name, (value = encodeValue(variables[name] ?? '')));
    return value;
  };
  const expanded = substitute(template, known, valueOf);

  const pathProblem = pathSegmentProblem(template, scan, known, valueOf);
  if (pathProblem) return refuse(pathProblem);

  const url = parseUrl(expanded);
  if (!url) return refuse('The filled-in URL does not parse.');
  const drift = structureDrift(shape.value, url);
  if (drift) return refuse(`A variable's value would change the URL's ${drift}; not requested.`);
  return { ok: true, url: url.href, warnings };
}

/** Cuts the raw template into components and locates every token; never fails. */
export function scanTemplate(template: string): TemplateScan {
  const lead = /^[\u0000-\u0020]*/.exec(template)?.[0].length ?? 0;
  const colon = template.slice(lead).search(/[:/?#\\]/) + lead;
  const hasScheme = colon >= lead && template[colon] === ':';
  const scheme = hasScheme ? { start: lead, end: colon } : undefined;

  let cursor = hasScheme ? colon + 1 : lead;
  let authority: Span = { start: cursor, end: cursor };
  if (hasScheme) {
    while (template[cursor] === '/' || template[cursor] === '\\') cursor++;
    authority = { start: cursor, end: endOf(template, cursor, /[/\\?#]/) };
    cursor = authority.end;
  }
  const path = { start: cursor, end: endOf(template, cursor, /[?#]/) };
  const query = template[path.end] === '?' ? { start: path.end + 1, end: endOf(template, path.end, /#/) } : undefined;

  const at = template.lastIndexOf('@', authority.end - 1);
  const userinfo = at >= authority.start ? { start: authority.start, end: at } : undefined;
  const host = { start: userinfo ? at + 1 : authority.start, end: authority.end };
  const portColon = template.slice(host.start, host.end).search(/:[^:\]]*$/);
  const portStart = portColon < 0 ? host.end : host.start + portColon + 1;

  const tokens: TemplateToken[] = [];
  const lookalikes: Span[] = [];
  for (const match of template.matchAll(TOKEN)) {
    const name = match[1] ?? '';
    const start = match.index;
    const end = start + match[0].length;
    if (!VALID_NAME.test(name)) {
      lookalikes.push({ start, end });
      continue;
    }
    const place: TokenPlace =
      scheme && start < scheme.end ? 'scheme'
      : start < authority.end && hasScheme ? (userinfo && start < userinfo.end ? 'userinfo' : start >= portStart ? 'port' : 'host')
      : start < path.end ? 'path'
      : query && start < query.end ? queryPlace(template, query.start, start)
      : 'fragment';
    const segment = place === 'path' ? (template.slice(path.start, start).match(/[/\\]/g)?.length ?? 0) : -1;
    tokens.push({ name, start, end, place, segment });
  }
  return { tokens, lookalikes, scheme, userinfo, path };
}

/** Percent-encodes a cleaned value so that only `A-Z a-z 0-9 - _ . ~` stay literal. */
export function encodeValue(value: string): string {
  return encodeURIComponent(cleanValue(value)).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** The parsed template (known variables replaced by a placeholder) that an expansion must match. */
interface TemplateShape {
  url: URL;
  segments: number;
  paramNames: string[];
}

/** Refusals that depend on the template alone; the linter reports the same problems. */
export function checkTemplateShape(
  template: string,
  scan: TemplateScan,
  known: ReadonlySet<string>,
): { ok: true; value: TemplateShape } | { ok: false; error: string; span?: Span } {
  const misplaced = scan.tokens.filter((t) => known.has(t.name) && !['path', 'query-value', 'fragment'].includes(t.place));
  const inScheme = misplaced.find((t) => t.place === 'scheme');
  if (inScheme) return { ok: false, error: misplacedMessage(inScheme), span: inScheme };
  if (!scan.scheme) return { ok: false, error: 'The template is not an absolute URL: start it with https:// or http://.' };
  const scheme = template.slice(scan.scheme.start, scan.scheme.end).replace(/[\t\n\r]/g, '').toLowerCase();
  if (!ALLOWED_PROTOCOLS.has(`${scheme}:`)) return { ok: false, error: schemeMessage(scheme), span: scan.scheme };
  if (misplaced[0]) return { ok: false, error: misplacedMessage(misplaced[0]), span: misplaced[0] };
  const url = parseUrl(substitute(template, known, () => 'x'));
  if (!url) return { ok: false, error: 'The template is not a valid URL, even with its variables filled in.' };
  if (!ALLOWED_PROTOCOLS.has(url.protocol)) {
    return { ok: false, error: schemeMessage(url.protocol.slice(0, -1)), span: scan.scheme };
  }
  return { ok: true, value: { url, segments: url.pathname.split('/').length, paramNames: [...url.searchParams.keys()] } };
}

function schemeMessage(scheme: string): string {
  return `The scheme "${scheme}:" is not allowed: CTI URLs must start with https:// or http://.`;
}

export function misplacedMessage(token: TemplateToken): string {
  const where: Record<TokenPlace, string> = {
    scheme: 'the scheme',
    userinfo: 'the user name or password',
    host: 'the host name',
    port: 'the port',
    'query-name': 'a query parameter name',
    path: 'a path segment',
    'query-value': 'a query value',
    fragment: 'the fragment',
  };
  return `%%${token.name}%% is in ${where[token.place]}; variables may only stand in a path segment, a query value or the fragment, so the server a value is sent to is always the one you wrote.`;
}

function pathSegmentProblem(
  template: string,
  scan: TemplateScan,
  known: ReadonlySet<string>,
  valueOf: (name: string) => string,
): string | undefined {
  const segments = new Set(scan.tokens.filter((t) => t.place === 'path' && known.has(t.name)).map((t) => t.segment));
  const raw = template.slice(scan.path.start, scan.path.end).split(/[/\\]/);
  for (const index of segments) {
    const segment = raw[index] ?? '';
    const names = [...segment.matchAll(TOKEN)].map((m) => `%%${m[1]}%%`).join(', ');
    // The URL parser drops tabs and newlines and reads %2e as a dot when it spots dot segments.
    const filled = substitute(segment, known, valueOf).replace(/[\t\n\r]/g, '').replace(/%2e/gi, '.');
    if (filled === '') {
      return `${names} is empty and fills a whole path segment; the request would go to a different path.`;
    }
    if (filled === '.' || filled === '..') {
      return `The value of ${names} would make the path segment "${filled}", which changes the path; not requested.`;
    }
  }
  return undefined;
}

function structureDrift(shape: TemplateShape, url: URL): string | undefined {
  if (url.origin !== shape.url.origin || url.protocol !== shape.url.protocol) return 'origin';
  if (url.pathname.split('/').length !== shape.segments) return 'path';
  const names = [...url.searchParams.keys()];
  if (names.length !== shape.paramNames.length || names.some((n, i) => n !== shape.paramNames[i])) return 'query';
  // `hash` is '' for an empty fragment too; only the serialised URL tells `…#` from `…`.
  if (url.href.includes('#') !== shape.url.href.includes('#')) return 'fragment';
  return undefined;
}

/** One pass, left to right; replaced text is never scanned again. */
function substitute(text: string, known: ReadonlySet<string>, valueOf: (name: string) => string): string {
  return text.replace(TOKEN, (whole, name: string) => (known.has(name) ? valueOf(name) : whole));
}

function queryPlace(template: string, queryStart: number, tokenStart: number): TokenPlace {
  const pair = template.slice(Math.max(queryStart, template.lastIndexOf('&', tokenStart) + 1), tokenStart);
  return pair.includes('=') ? 'query-value' : 'query-name';
}

function unique(texts: string[]): string[] {
  return [...new Set(texts)];
}

function endOf(text: string, from: number, stop: RegExp): number {
  const found = text.slice(from).search(stop);
  return found < 0 ? text.length : from + found;
}

function parseUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}
