import type { Reply } from '../reply/reply-schema';
import type { RouteRule } from '../settings/schema';
import { isLoopbackHost } from '../connectors/transport-rule';
import type { Result } from '../result';

/** Where an allowed route goes in the dialplan; `{name}` in either part is the route's name. */
export interface DialplanTarget {
  context: string;
  exten: string;
}

type Route = NonNullable<Reply['route']>;

/**
 * Checks a reply's route against the admin's allow-list (settings `security.routes`): the first
 * rule of the route's type whose pattern matches the whole name gives the dialplan target. A type
 * without a rule, or a name no rule matches, is refused with a sentence that says which. When
 * the connector applies replies to real calls, a route from a reply fetched over plain `http:`
 * from another machine is refused too: anyone on the path could have written it.
 *
 * @example checkRoute({ type: 'extension', name: '0900123456' }, rules, { via: 'https://crm/x', control: true })
 *   // { ok: false, error: 'route to extension 0900123456 refused: it matches no allowed pattern for extension ([0-9]{2,5})' }
 */
export function checkRoute(route: Route, rules: readonly RouteRule[], opts: { via: string; control: boolean }): Result<DialplanTarget> {
  const what = `route to ${route.type} ${route.name} refused`;
  if (opts.control && cameInClear(opts.via)) {
    return { ok: false, error: `${what}: the reply came over plain http: from ${new URL(opts.via).host}, where anyone on the network can change it; serve the CTI URL over https:` };
  }
  const ofType = rules.filter((rule) => rule.type === route.type);
  if (!ofType.length) return { ok: false, error: `${what}: the route allow-list has no rule for ${route.type}` };
  const match = ofType.find((rule) => new RegExp(`^(?:${rule.pattern})$`, 'u').test(route.name));
  if (!match) {
    return { ok: false, error: `${what}: it matches no allowed pattern for ${route.type} (${ofType.map((r) => r.pattern).join(' | ')})` };
  }
  return { ok: true, value: { context: match.context, exten: match.exten } };
}

function cameInClear(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' && !isLoopbackHost(parsed.hostname);
  } catch {
    return false;
  }
}
