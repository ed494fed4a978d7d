import type { Settings } from './schema';

export interface RequiredOrigins {
  /** Match patterns to request as optional host permissions, e.g. `https://crm.example.com/*`. */
  patterns: string[];
  /** Templates whose origin cannot be read (not a literal http(s) scheme and host). */
  problems: string[];
}

/**
 * The host permissions the configured settings need: the origin of every CTI URL template and,
 * for the SSE and ARI connectors, the stream's http(s) origin (ARI's REST calls share the
 * WebSocket's host). A plain JSON WebSocket needs none: host permissions do not gate WebSockets.
 *
 * Patterns carry no port: Firefox match patterns cannot express one, so `http://pbx/*` covers
 * every port of that host in both browsers.
 *
 * @example requiredOrigins(s).patterns // → ['https://crm.example.com/*']
 */
export function requiredOrigins(settings: Settings): RequiredOrigins {
  const patterns = new Set<string>();
  const problems: string[] = [];
  const templates: [string, string][] = [
    ['cti.popupUrl', settings.cti.popupUrl],
    ['cti.inboundUrl', settings.cti.inboundUrl],
    ['cti.outboundUrl', settings.cti.outboundUrl],
    ['cti.postCallUrl', settings.cti.postCallUrl],
    ...settings.cti.applicationRules.map((rule, i): [string, string] => [`cti.applicationRules[${i}].url`, rule.url]),
  ];
  for (const [path, template] of templates) {
    if (!template.trim()) continue;
    const pattern = originPattern(template);
    if (pattern) patterns.add(pattern);
    else problems.push(`${path}: the URL must start with a literal http:// or https:// address to be allowed.`);
  }
  const { kind, url } = settings.connection;
  if (url.trim() && kind !== 'json-ws') {
    const pattern = originPattern(url.trim().replace(/^ws(s?):/i, 'http$1:'));
    if (pattern) patterns.add(pattern);
    else problems.push('connection.url: the stream address must start with http(s):// or ws(s):// and a host name.');
  }
  return { patterns: [...patterns].sort(), problems };
}

/** `https://crm.example.com:8443/x?q=%%calleridnumber%%` → `https://crm.example.com/*`; undefined when not literal. */
export function originPattern(template: string): string | undefined {
  const match = /^\s*(https?):\/\/([^/?#\\]+)/i.exec(template);
  if (!match || match[2]!.includes('%%')) return undefined;
  try {
    const url = new URL(`${match[1]!.toLowerCase()}://${match[2]}/`);
    return `${url.protocol}//${url.hostname}/*`;
  } catch {
    return undefined;
  }
}
