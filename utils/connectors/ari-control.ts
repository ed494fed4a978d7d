import type { Reply, RouteType } from '../reply/reply-schema';

/** One ARI REST call, as data: the connector sends it, tests compare it. */
export interface AriRequest {
  method: 'POST';
  /** Starts with `/ari/`; ids are percent-encoded. */
  path: string;
  query: Record<string, string>;
}

import type { DialplanTarget } from '../engine/route-policy';

export type { DialplanTarget };
export type RouteMap = Record<RouteType, DialplanTarget>;

/**
 * Defaults follow the FreePBX-style dialplan most Asterisk business PBXs share: an extension or
 * star code is dialled from `from-internal`; queues, ring groups and conferences have their own
 * `ext-…` contexts keyed by number; an IVR is the context `ivr-<name>` from `s`; voicemail is
 * `vmu<mailbox>` (the "unavailable" greeting) in `ext-local`. Override per PBX in settings.
 */
export const DEFAULT_ROUTES: RouteMap = {
  extension: { context: 'from-internal', exten: '{name}' },
  function: { context: 'from-internal', exten: '{name}' },
  starcode: { context: 'from-internal', exten: '{name}' },
  channel: { context: 'from-internal', exten: '{name}' },
  ivr: { context: 'ivr-{name}', exten: 's' },
  group: { context: 'ext-group', exten: '{name}' },
  queue: { context: 'ext-queues', exten: '{name}' },
  conf: { context: 'ext-meetme', exten: '{name}' },
  directory: { context: 'directory', exten: '{name}' },
  voicemail: { context: 'ext-local', exten: 'vmu{name}' },
};

/**
 * Dialplan variables a reply sets. Caller ID goes straight to the channel. The account code goes
 * to `CHANNEL(accountcode)`: since Asterisk 12 `CDR(accountcode)` is read-only and the CDR takes
 * the channel's. Recording and the extra account codes have no Asterisk meaning of their own, so
 * they are left for the dialplan to act on (`MixMonitor` when `CTIPOP_RECORD` is `yes`).
 */
const VARIABLE_OF = {
  calleridname: 'CALLERID(name)',
  calleridnumber: 'CALLERID(num)',
  accountcode: 'CHANNEL(accountcode)',
  record: 'CTIPOP_RECORD',
  acc_code2: 'CTIPOP_ACC_CODE2',
  acc_code3: 'CTIPOP_ACC_CODE3',
} as const;

/**
 * The ARI calls that apply a CTI reply to a channel waiting in our Stasis app: one
 * `POST …/variable` per value set, then always one `POST …/continue` so the call never stays
 * parked — to the route's dialplan target, or with no target (the next priority after `Stasis()`)
 * when there is no route. ARI cannot break an application the channel is not in, so `break`
 * becomes `CTIPOP_BREAK=1` for the dialplan to test after `Stasis()`.
 * e.g. `ariControlRequests('1764289267.42', { set: { accountcode: 'ACME' }, route: null, break: false })`
 */
export function ariControlRequests(channelId: string, reply: Reply & { target?: DialplanTarget }, routes: Partial<RouteMap> = {}): AriRequest[] {
  const base = `/ari/channels/${encodeURIComponent(channelId)}`;
  const out: AriRequest[] = [];
  for (const field of Object.keys(VARIABLE_OF) as (keyof typeof VARIABLE_OF)[]) {
    const value = reply.set[field];
    if (value !== undefined) out.push({ method: 'POST', path: `${base}/variable`, query: { variable: VARIABLE_OF[field], value } });
  }
  if (reply.break) out.push({ method: 'POST', path: `${base}/variable`, query: { variable: 'CTIPOP_BREAK', value: '1' } });
  // The target the route allow-list chose (the engine only lets allowed routes through); the map is for callers without one.
  const target = reply.route ? (reply.target ?? routes[reply.route.type] ?? DEFAULT_ROUTES[reply.route.type]) : undefined;
  const name = reply.route?.name ?? '';
  out.push({
    method: 'POST',
    path: `${base}/continue`,
    query: target ? { context: target.context.replaceAll('{name}', name), extension: target.exten.replaceAll('{name}', name), priority: '1' } : {},
  });
  return out;
}

/** The absolute URL of a request against an ARI base such as `https://pbx:8089` (or `…/ari`). */
export function ariRequestUrl(base: string, request: AriRequest): string {
  const url = new URL(base);
  url.pathname = url.pathname.replace(/\/+$/, '').replace(/\/ari$/, '') + request.path;
  url.search = new URLSearchParams(request.query).toString();
  url.hash = '';
  return url.toString();
}
