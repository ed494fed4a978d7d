import type { CallEvent } from '../calls/call-event';
import { createCallTracker, type CallTracker } from './ari-call-tracker';
import { createChannelGraph } from './ari-channel-graph';
import { createChannelClassifier, endpointKey, endpointOfChannel, type EndpointOptions } from './ari-endpoints';
import { createFrameHandlers, CTIPOP_APP } from './ari-frame-handlers';
import { ariChannel, type AriChannel } from './ari-schemas';
import { ariSnapshot, type AriSnapshot, type TrackedChannel } from './ari-snapshot';
import { parseAriTimestamp } from './ari-timestamp';

/** One person the translator speaks for: their phones, the queues they watch, their Stasis control app. */
export interface AriUser {
  endpoints: string[];
  queues?: string[];
  app?: string;
}

export interface AriCoreOptions extends Omit<EndpointOptions, 'endpoints'> {
  users: AriUser[];
  /** Longest internal extension, in digits; longer numbers (or `+…`) are outside callers. Default 6. */
  maxInternalDigits?: number;
  now?: () => number;
}

export interface AriTranslatorStats {
  frames: number;
  /** Not JSON, not an object, no `type`, or a used event type whose fields failed validation. */
  malformed: number;
  /** Event types we never need (ChannelVarset, DeviceStateChanged …), dropped before parsing. */
  ignored: number;
  events: number;
}

export interface UserEvent {
  /** The user's key: the first of their endpoints. */
  endpoint: string;
  event: CallEvent;
}

const MAX_FRAME_CHARS = 256 * 1024;

/**
 * Event types that never change a call as the user sees it. As raw text they are recognised
 * without JSON.parse (ChannelVarset alone is 40–60 % of the stream). `"type":"X"` can only occur
 * as the top-level type, except inside the free-form `channelvars`/`userevent` maps, which the
 * cheap path therefore refuses; a ChannelVarset of CTIPOP_APP is the one variable that is read.
 */
const IGNORED_TEXT = /"type":\s*"(?:ChannelVarset|DeviceStateChanged|ContactStatusChange|PeerStatusChange|EndpointStateChange|ChannelDtmfReceived|ChannelTalkingStarted|ChannelTalkingFinished|ChannelToneDetected|ChannelHold|ChannelUnhold|ChannelUserevent|BridgeCreated|BridgeDestroyed|ChannelLeftBridge)"/;

/**
 * The ARI translator for any number of users at once: each frame is parsed and validated once,
 * the channel graph is updated once, and only the users the channel concerns do any work. Each
 * user gets exactly the events a translator for that user alone would give.
 */
export function createAriCore(opts: AriCoreOptions) {
  const now = opts.now ?? Date.now;
  const maxDigits = opts.maxInternalDigits ?? 6;
  const classify = createChannelClassifier({ endpoints: opts.users.flatMap((u) => u.endpoints), trunks: opts.trunks, phones: opts.phones });
  const graph = createChannelGraph(classify.kindOf);
  const stats: AriTranslatorStats = { frames: 0, malformed: 0, ignored: 0, events: 0 };
  let out: UserEvent[] = [];

  const owners = new Map<string, CallTracker>();
  const byRoot = new Map<string, Set<CallTracker>>();
  const watchers = new Map<string, CallTracker[]>();
  const apps = new Map<string, CallTracker>();
  const ownerCache = new Map<string, CallTracker | null>();

  function ownerOf(c: TrackedChannel): CallTracker | undefined {
    let t = ownerCache.get(c.name);
    if (t === undefined) {
      t = c.kind === 'phone' ? owners.get(endpointKey(endpointOfChannel(c.name))) ?? null : null;
      if (ownerCache.size > 4096) ownerCache.clear();
      ownerCache.set(c.name, t);
    }
    return t ?? undefined;
  }

  /**
   * For a phone rung before its Dial: the trunk channel still ringing in whose caller its connected
   * line names, which a reconcile would take too. Trunks only: whether a phone is a user's differs
   * between one user's translator and the fan-out, and a phone's answered channel in another call
   * can carry the same number. Only when exactly one trunk fits: two calls ringing at once from
   * one number (a company's shared caller ID) leave the phone to its Dial, never to a guess.
   */
  function callerOf(u: TrackedChannel): TrackedChannel | undefined {
    if (!u.connected.number) return undefined;
    let fit: TrackedChannel | undefined;
    for (const c of graph.all()) {
      if (c.kind !== 'trunk' || c.state === 'Up' || c.caller.number !== u.connected.number) continue;
      if (fit) return undefined;
      fit = c;
    }
    return fit;
  }

  const trackers = opts.users.map((u) => {
    const key = u.endpoints[0] ?? '';
    const t: CallTracker = createCallTracker({
      key,
      owns: (c) => ownerOf(c) === t,
      endpointOf: (c) => classify.userEndpointOf(c.name),
      callerOf,
      queues: new Set(u.queues ?? []),
      maxDigits,
      emit: (event) => out.push({ endpoint: key, event }),
      index(root, add) {
        const set = byRoot.get(root) ?? new Set<CallTracker>();
        if (add) set.add(t);
        else set.delete(t);
        if (set.size) byRoot.set(root, set);
        else byRoot.delete(root);
      },
    }, graph);
    for (const e of u.endpoints) owners.set(endpointKey(e), t);
    for (const q of u.queues ?? []) watchers.set(q, [...(watchers.get(q) ?? []), t]);
    if (u.app) apps.set(u.app, t);
    return t;
  });

  const timeOf = (ts: string | undefined) => parseAriTimestamp(ts) ?? now();

  function destroy(last: TrackedChannel, cause: number | undefined, at: number) {
    const owner = ownerOf(last);
    const others = [...(byRoot.get(last.id) ?? [])].filter((t) => t !== owner);
    graph.destroy(last.id);
    owner?.destroyed(last, cause, at);
    for (const t of others) t.destroyed(last, cause, at);
  }

  const handlers = createFrameHandlers({
    graph, ownerOf, timeOf, destroy,
    trackersAt: (root) => byRoot.get(root) ?? [],
    queueWatchers: (q) => watchers.get(q) ?? [],
    appOwner: (app) => apps.get(app),
  });

  function take(): UserEvent[] {
    const events = out;
    out = [];
    stats.events += events.length;
    return events;
  }

  function handle(frame: unknown): UserEvent[] {
    stats.frames++;
    let f: unknown = frame;
    if (typeof frame === 'string') {
      if (frame.length > MAX_FRAME_CHARS) return malformed();
      if (IGNORED_TEXT.test(frame) && !frame.includes('"channelvars"') && !frame.includes('"userevent"') && !frame.includes(CTIPOP_APP)) {
        stats.ignored++;
        return [];
      }
      try {
        f = JSON.parse(frame);
      } catch {
        return malformed();
      }
    }
    if (typeof f !== 'object' || f === null || Array.isArray(f)) return malformed();
    const type = (f as { type?: unknown }).type;
    if (typeof type !== 'string') return malformed();
    const handler = Object.hasOwn(handlers, type) ? handlers[type] : undefined;
    if (!handler || (type === 'ChannelVarset' && (f as { variable?: unknown }).variable !== CTIPOP_APP)) {
      stats.ignored++;
      return [];
    }
    if (!handler(f as Record<string, unknown>)) {
      out = [];
      return malformed();
    }
    return take();
  }

  function malformed(): UserEvent[] {
    stats.malformed++;
    return [];
  }

  /**
   * After a reconnect ARI has kept nothing: `list` is GET /ari/channels. Calls the users are in get
   * whatever events they missed (offered, ringing, answered); calls whose channels are gone end
   * (cause unknown, as Asterisk cannot tell any more).
   */
  function reconcile(list: unknown[]): UserEvent[] {
    const at = now();
    const present: AriChannel[] = [];
    for (const item of list) {
      const p = ariChannel.safeParse(item);
      if (p.success) present.push(p.data);
      else stats.malformed++;
    }
    const ids = new Set(present.map((c) => c.id));
    for (const id of graph.ids()) {
      const c = graph.get(id);
      if (c && !ids.has(id)) destroy(c, undefined, at);
    }
    for (const t of trackers) if (t.hasCalls()) t.endVanished(at);
    const fresh = new Set(present.filter((c) => !graph.has(c.id) && !graph.isGone(c.id)).map((c) => c.id));
    const live = present.filter((c) => !graph.isGone(c.id));
    const tracked = live.map((c) => graph.upsert(c));
    // Met mid-call, a channel's first dialplan position (the DID on a trunk) is unknown: Gotos have moved it.
    for (const c of tracked) if (fresh.has(c.id)) c.firstExten = c.firstContext = '';
    const byCaller = new Map<string, TrackedChannel>();
    for (const c of tracked) {
      if (c.kind === 'local' || ownerOf(c) || !c.caller.number) continue;
      const seen = byCaller.get(c.caller.number);
      if (!seen || (c.kind === 'trunk' && seen.kind !== 'trunk')) byCaller.set(c.caller.number, c);
    }
    tracked.forEach((u, i) => {
      const owner = ownerOf(u);
      if (!owner) return;
      const partner = u.connected.number ? byCaller.get(u.connected.number) : undefined;
      owner.reconciled(u, fresh.has(u.id), live[i]?.dialplan.app_name ?? '', partner, at);
    });
    return take();
  }

  function snapshot(): AriSnapshot {
    const users: AriSnapshot['users'] = {};
    for (const t of trackers) {
      const s = t.snapshot();
      if (s.calls.length || s.usedRoots.length) users[t.key] = s;
    }
    return { v: 2, ...graph.snapshot(), users };
  }

  /** Picks up where a previous background left off; a corrupt snapshot is refused and changes nothing. */
  function restore(data: unknown): { ok: true } | { ok: false; error: string } {
    const p = ariSnapshot.safeParse(data);
    if (!p.success) return { ok: false, error: `ARI translator snapshot ignored: ${p.error.issues[0]?.message ?? 'invalid'}` };
    graph.restore(p.data.channels, p.data.gone);
    byRoot.clear();
    for (const t of trackers) t.restore(p.data.users[t.key] ?? { calls: [], usedRoots: [] });
    return { ok: true };
  }

  const trackerOf = (endpoint: string) => owners.get(endpointKey(endpoint));

  return {
    handle, reconcile, snapshot, restore,
    stats: (): AriTranslatorStats => ({ ...stats }),
    /** The channel of this user's call that waits in their Stasis app, if any: where control requests go. */
    controlChannel: (endpoint: string, callId: string) => trackerOf(endpoint)?.controlChannel(callId),
    /** Calls in progress (callIds) for one user. */
    activeCalls: (endpoint: string) => trackerOf(endpoint)?.activeCalls() ?? [],
  };
}
