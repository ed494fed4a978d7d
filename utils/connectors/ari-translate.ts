import type { CallEvent } from '../calls/call-event';
import type { ApplicationType, Direction, Variables } from '../templates/variables';
import { createChannelClassifier, isOutsideNumber, type ChannelKind, type EndpointOptions } from './ari-endpoints';
import {
  ariAttendedTransferFrame, ariBlindTransferFrame, ariBridgeFrame, ariChannel, ariChannelFrame, ariDialFrame,
  ariDialplanFrame, ariHangupFrame, ariStasisFrame, type AriChannel,
} from './ari-schemas';
import { ariSnapshot, type AriSnapshot, type TrackedCall, type TrackedChannel } from './ari-snapshot';
import { parseAriTimestamp } from './ari-timestamp';

export { ariChannelsUrl, ariEventsUrl, redactAriUrl } from './ari-urls';

export interface AriTranslatorOptions extends EndpointOptions {
  /** Queues whose calls concern the user from the moment a caller enters them, before any phone rings. */
  queues?: string[];
  /** Our ARI application name; `StasisStart` for other applications is ignored. */
  app?: string;
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

export type AriTranslator = ReturnType<typeof createAriTranslator>;

const MAX_FRAME_CHARS = 256 * 1024;
const REMEMBERED_IDS = 4000;
const MAX_CHAIN = 16;

/**
 * Event types that never change a call as the user sees it. As raw text they are recognised
 * without JSON.parse (ChannelVarset alone is 40–60 % of the stream). `"type":"X"` can only occur
 * as the top-level type, except inside the free-form `channelvars`/`userevent` maps, which the
 * cheap path therefore refuses.
 */
const IGNORED_TEXT = /"type":\s*"(?:ChannelVarset|DeviceStateChanged|ContactStatusChange|PeerStatusChange|EndpointStateChange|ChannelDtmfReceived|ChannelTalkingStarted|ChannelTalkingFinished|ChannelToneDetected|ChannelHold|ChannelUnhold|ChannelUserevent|BridgeCreated|BridgeDestroyed|ChannelLeftBridge)"/;

/**
 * Turns the ARI event stream of a whole PBX (`/ari/events?subscribeAll=true`) into CallEvents for
 * one user (CTI.md §2). Legs are tied by `Dial` (caller → peer), Local halves (`;1` → `;2`) and
 * bridges; the callId is the uniqueid of the call's first channel (what Asterisk calls linkedid,
 * which ARI does not send). Every event is emitted once: repeated frames find nothing new to say.
 *
 * Direction: a call the user's phone is rung for is `inbound` when a trunk leg is on the path or
 * the calling number is an outside number, else `internal`; a call the user's phone places is
 * `outbound` when it dials a trunk (or an outside number through a Local channel), else
 * `internal`; a call the PBX originates to the user's phone (click-to-call) is `outbound`.
 */
export function createAriTranslator(opts: AriTranslatorOptions) {
  const now = opts.now ?? Date.now;
  const classify = createChannelClassifier(opts);
  const queues = new Set(opts.queues ?? []);
  const maxDigits = opts.maxInternalDigits ?? 6;
  const stats: AriTranslatorStats = { frames: 0, malformed: 0, ignored: 0, events: 0 };

  let chans = new Map<string, TrackedChannel>();
  let calls = new Map<string, TrackedCall>();
  const callOfChan = new Map<string, TrackedCall>();
  const callOfRoot = new Map<string, TrackedCall>();
  /** Local channel name → id, to pair `;1` and `;2` halves without scanning every channel. */
  const localIds = new Map<string, string>();
  let gone = new Set<string>();
  let usedRoots = new Set<string>();

  const remember = (set: Set<string>, id: string) => {
    set.add(id);
    if (set.size > REMEMBERED_IDS) set.delete(set.values().next().value as string);
  };

  // ---- channels -------------------------------------------------------------------------------

  function upsert(c: AriChannel): TrackedChannel {
    let t = chans.get(c.id);
    if (!t) {
      t = {
        id: c.id, name: c.name, kind: classify.kindOf(c.name), root: c.id,
        firstExten: c.dialplan.exten, firstContext: c.dialplan.context,
        exten: '', context: '', state: '', caller: { name: '', number: '' }, connected: { name: '', number: '' },
        accountcode: '', apps: [],
      };
      chans.set(c.id, t);
      if (t.kind === 'local') {
        localIds.set(c.name, c.id);
        if (c.name.endsWith(';2')) linkLocalHalf(t);
      }
    }
    // Asterisk blanks exten/app after a Dial is answered; keep the last meaningful one.
    if (c.dialplan.exten) t.exten = c.dialplan.exten;
    if (c.dialplan.context) t.context = c.dialplan.context;
    t.state = c.state;
    t.caller = { name: c.caller.name, number: c.caller.number };
    t.connected = { name: c.connected.name, number: c.connected.number };
    t.accountcode = c.accountcode;
    if (c.caller_rdnis) t.rdnis = c.caller_rdnis;
    return t;
  }

  /** `Local/x@ctx-0000000a;2` continues the call its `;1` half was dialled in. */
  function linkLocalHalf(two: TrackedChannel) {
    const one = chans.get(localIds.get(two.name.slice(0, -1) + '1') ?? '');
    if (!one) return;
    two.parent = one.id;
    two.root = rootOf(one);
  }

  function rootOf(c: TrackedChannel): string {
    let x = c;
    for (let i = 0; i < MAX_CHAIN && x.parent; i++) {
      const p = chans.get(x.parent);
      if (!p || p === c) return x.root;
      x = p;
    }
    return x.parent ? x.root : x.id;
  }

  /** The channels from the user's channel up to the call's first channel. */
  function chainOf(c: TrackedChannel): TrackedChannel[] {
    const out = [c];
    let x = c;
    for (let i = 0; i < MAX_CHAIN && x.parent; i++) {
      const p = chans.get(x.parent);
      if (!p || out.includes(p)) break;
      out.push(p);
      x = p;
    }
    return out;
  }

  function link(child: TrackedChannel, parent: TrackedChannel) {
    if (child.parent || child === parent || rootOf(parent) === child.id) return;
    child.parent = parent.id;
    child.root = rootOf(parent);
    if (child.kind === 'local' && child.name.endsWith(';1')) {
      const two = chans.get(localIds.get(child.name.slice(0, -1) + '2') ?? '');
      if (two && two.parent === child.id) two.root = child.root;
      else if (two && !two.parent) link(two, child);
    }
  }

  // ---- calls ----------------------------------------------------------------------------------

  const party = (p: { name: string; number: string }) => ({ calleridname: p.name, calleridnumber: p.number });

  /** Calling party, from the user's point of view (CTI.md §2). */
  function callingParty(call: TrackedCall, u: TrackedChannel | undefined): Record<string, string> {
    const root = chans.get(call.root);
    // A call the user places has the user as its calling party, internal or not.
    if (call.direction === 'outbound' || call.userDialled) {
      if (!u) return {};
      // Click-to-call shows the number to be dialled as the phone's caller ID: that is not the user.
      if (call.originated && u.caller.number === u.connected.number) return { calleridname: '', calleridnumber: call.userNumber };
      return party(u.caller);
    }
    if (u && u.connected.number) return party(u.connected);
    if (root && root.kind !== 'user') return party(root.caller);
    return u ? party(u.connected) : {};
  }

  /** The user's channel that speaks for the call: the latest one still up, else the one it was offered on. */
  function userChannelOf(call: TrackedCall): TrackedChannel | undefined {
    const u = chans.get(call.channels[call.channels.length - 1] ?? call.userChannel);
    return u?.kind === 'user' ? u : undefined;
  }

  /** The variables that can change during a call (a `variables` event reports the difference). */
  function dynamicVars(call: TrackedCall): Record<string, string> {
    const u = userChannelOf(call);
    const root = chans.get(call.root);
    const vars: Record<string, string> = { ...callingParty(call, u), accountcode: u?.accountcode || root?.accountcode || '' };
    // Originated: the phone shows the number it will dial until the dialplan moves to that number.
    if (call.originated && u) vars.exten = u.exten && u.exten !== 's' ? u.exten : u.connected.number;
    return vars;
  }

  function offerVars(call: TrackedCall, u: TrackedChannel, at: number): Variables {
    const root = chans.get(call.root);
    const origin = root ?? u;
    const last = call.appList[call.appList.length - 1];
    return {
      uniqueid: u.id,
      channel: u.name,
      linkedid: call.root,
      user: call.user,
      direction: call.direction,
      exten: origin.exten,
      context: origin.context,
      did: origin.kind === 'trunk' ? origin.firstExten : '',
      rdnis: origin.rdnis ?? u.rdnis ?? '',
      application: last?.name ?? '',
      application_type: last?.type ?? '',
      timestamp: String(Math.floor(at / 1000)),
      ...dynamicVars(call),
    };
  }

  function newCall(root: string, u: TrackedChannel, flags: Partial<TrackedCall> = {}): TrackedCall {
    const id = usedRoots.has(root) ? `${root}-${u.id}` : root;
    const user = classify.userEndpointOf(u.name);
    const call: TrackedCall = {
      id, root, user, userNumber: user.slice(user.indexOf('/') + 1), userChannel: u.id, channels: [],
      originated: false, userDialled: false, watched: false, offered: false, ringing: false, answered: false,
      apps: [], appList: [], vars: {}, ...flags,
    };
    calls.set(id, call);
    callOfRoot.set(root, call);
    remember(usedRoots, root);
    return call;
  }

  function join(call: TrackedCall, u: TrackedChannel) {
    if (u.kind !== 'user' || call.channels.includes(u.id)) return;
    call.channels.push(u.id);
    call.userChannel = u.id;
    callOfChan.set(u.id, call);
  }

  function offer(call: TrackedCall, direction: Direction, at: number, out: CallEvent[]) {
    if (call.offered) return;
    const u = chans.get(call.userChannel);
    if (!u) return;
    call.direction = direction;
    call.offered = true;
    for (const c of chainOf(u).reverse()) for (const a of c.apps) addApp(call, a);
    const variables = offerVars(call, u, at);
    call.vars = dynamicVars(call);
    out.push({ type: 'offered', callId: call.id, at, direction, variables });
    for (const a of call.appList) out.push({ type: 'application', callId: call.id, at, application: a });
  }

  function addApp(call: TrackedCall, a: { type: ApplicationType; name: string }): boolean {
    const key = `${a.type}:${a.name}`;
    if (call.apps.includes(key)) return false;
    call.apps.push(key);
    call.appList.push(a);
    return true;
  }

  function ringing(call: TrackedCall, at: number, out: CallEvent[]) {
    if (!call.offered || call.ringing || call.answered) return;
    call.ringing = true;
    out.push({ type: 'ringing', callId: call.id, at });
  }

  function answered(call: TrackedCall, at: number, out: CallEvent[]) {
    if (!call.offered || call.answered) return;
    call.answered = true;
    out.push({ type: 'answered', callId: call.id, at });
  }

  function refresh(call: TrackedCall, at: number, out: CallEvent[]) {
    if (!call.offered) return;
    const next = dynamicVars(call);
    const changed: Variables = {};
    let any = false;
    for (const [k, v] of Object.entries(next)) {
      if (call.vars[k] !== v) {
        changed[k] = v;
        any = true;
      }
    }
    if (!any) return;
    call.vars = next;
    out.push({ type: 'variables', callId: call.id, at, variables: changed });
  }

  function end(call: TrackedCall, cause: number | undefined, at: number, out: CallEvent[]) {
    calls.delete(call.id);
    if (callOfRoot.get(call.root) === call) callOfRoot.delete(call.root);
    for (const id of call.channels) callOfChan.delete(id);
    if (callOfChan.get(call.userChannel) === call) callOfChan.delete(call.userChannel);
    if (call.offered) out.push(cause === undefined ? { type: 'ended', callId: call.id, at } : { type: 'ended', callId: call.id, at, cause });
  }

  function directionRung(u: TrackedChannel): Direction {
    const chain = chainOf(u);
    if (chain.some((c) => c.kind === 'trunk')) return 'inbound';
    const p = u.connected.number || chain[chain.length - 1]?.caller.number || '';
    return isOutsideNumber(p, maxDigits) ? 'inbound' : 'internal';
  }

  function directionPlaced(u: TrackedChannel, peer?: TrackedChannel): Direction {
    if (peer?.kind === 'trunk') return 'outbound';
    if (peer?.kind === 'phone' || peer?.kind === 'user') return 'internal';
    const dialled = peer?.kind === 'local' ? peer.name.slice(peer.name.indexOf('/') + 1).split('@')[0] ?? '' : u.exten;
    return isOutsideNumber(dialled, maxDigits) ? 'outbound' : 'internal';
  }

  /** The user's channel has just been tied to a call: join the call it belongs to, or start one. */
  function attach(u: TrackedChannel, at: number, out: CallEvent[]) {
    const root = rootOf(u);
    const existing = callOfRoot.get(root);
    const call = existing ?? newCall(root, u);
    join(call, u);
    offer(call, directionRung(u), at, out);
    syncState(call, u, at, out);
  }

  function syncState(call: TrackedCall, u: TrackedChannel, at: number, out: CallEvent[]) {
    if (u.state === 'Ringing') ringing(call, at, out);
    else if (u.state === 'Up' && !call.originated) answered(call, at, out);
  }

  /** Ringing (or answered) with nobody having dialled it: the PBX originated it (click-to-call). */
  function originated(u: TrackedChannel, at: number, out: CallEvent[]) {
    const call = newCall(u.id, u, { originated: true });
    join(call, u);
    offer(call, 'outbound', at, out);
    if (u.state === 'Ringing') ringing(call, at, out);
  }

  function destroy(id: string, cause: number | undefined, at: number, out: CallEvent[]) {
    const c = chans.get(id);
    if (!c) return;
    chans.delete(id);
    if (c.kind === 'local') localIds.delete(c.name);
    remember(gone, id);
    // The non-soft request's cause names who hung up; a 0 (Dial timeout) only when nothing better is known.
    const why = cause || c.hangupCause || cause;
    const call = callOfChan.get(id);
    if (call) {
      callOfChan.delete(id);
      call.channels = call.channels.filter((x) => x !== id);
      // A watched call outlives a ring attempt at the user's phone: the queue may ring it again.
      const waiting = call.watched && !call.answered && !call.elsewhere && chans.has(call.root);
      if (call.channels.length === 0 && !waiting) end(call, why, at, out);
    }
    const rooted = callOfRoot.get(id);
    if (rooted && rooted.channels.length === 0 && calls.has(rooted.id)) end(rooted, why, at, out);
  }

  /** A transferer leaves the call; the call goes on for the others (CTI.md: "the user who transferred away gets ended"). */
  function transferredAway(id: string, at: number, out: CallEvent[]) {
    const call = callOfChan.get(id);
    if (!call) return;
    remember(gone, id);
    callOfChan.delete(id);
    call.channels = call.channels.filter((x) => x !== id);
    if (call.channels.length === 0) end(call, 16, at, out);
  }

  function applicationOf(app: string, data: string, c: TrackedChannel): { type: ApplicationType; name: string } | undefined {
    switch (app) {
      case 'Queue': return { type: 'queue', name: data.split(',')[0]?.trim() ?? '' };
      case 'Background':
      case 'WaitExten':
      case 'Read': return { type: 'ivr', name: c.context };
      case 'Dial': return (data.split(',')[0] ?? '').includes('&') ? { type: 'group', name: c.exten } : undefined;
      default: return undefined;
    }
  }

  // ---- frame handlers -------------------------------------------------------------------------

  type Handler = (f: Record<string, unknown>, out: CallEvent[]) => boolean;
  const timeOf = (t: string | undefined) => parseAriTimestamp(t) ?? now();
  const idOf = (f: Record<string, unknown>) => (f.channel as { id?: unknown } | undefined)?.id;

  const handlers: Record<string, Handler> = {
    ChannelCreated(f) {
      const p = ariChannelFrame.safeParse(f);
      if (!p.success) return false;
      if (gone.has(p.data.channel.id)) return true;
      const c = upsert(p.data.channel);
      // A phone that goes off-hook and dials: the user places a call; its direction comes with the first Dial.
      if (c.kind === 'user' && c.state === 'Ring' && !callOfChan.has(c.id)) join(newCall(c.id, c, { userDialled: true }), c);
      return true;
    },
    ChannelDialplan(f, out) {
      const p = ariDialplanFrame.safeParse(f);
      if (!p.success) return false;
      if (gone.has(p.data.channel.id)) return true;
      const c = upsert(p.data.channel);
      const app = applicationOf(p.data.dialplan_app, p.data.dialplan_app_data, c);
      if (!app) return true;
      if (!c.apps.some((a) => a.type === app.type && a.name === app.name)) c.apps.push(app);
      const at = timeOf(p.data.timestamp);
      const own = callOfChan.get(c.id);
      if (own?.userDialled && !own.offered) {
        offer(own, 'internal', at, out);
        return true;
      }
      const root = rootOf(c);
      let call = callOfRoot.get(root);
      if (!call && app.type === 'queue' && queues.has(app.name)) {
        call = watch(c, root, at, out);
        return true;
      }
      if (call?.offered && addApp(call, app)) out.push({ type: 'application', callId: call.id, at, application: app });
      return true;
    },
    Dial(f, out) {
      const p = ariDialFrame.safeParse(f);
      if (!p.success) return false;
      const at = timeOf(p.data.timestamp);
      const peer = gone.has(p.data.peer.id) ? undefined : upsert(p.data.peer);
      const caller = p.data.caller && !gone.has(p.data.caller.id) ? upsert(p.data.caller) : undefined;
      if (!peer) return true;
      if (caller) link(peer, caller);
      const status = p.data.dialstatus;
      if (peer.kind === 'user') {
        const call = callOfChan.get(peer.id);
        if (!call) attach(peer, at, out);
        else if (status === 'RINGING') ringing(call, at, out);
      }
      const placed = caller && callOfChan.get(caller.id);
      if (caller && placed && placed.channels.includes(caller.id)) {
        if (placed.userDialled && !placed.offered) offer(placed, directionPlaced(caller, peer), at, out);
        if (placed.originated) refresh(placed, at, out);
        if (status === 'RINGING') ringing(placed, at, out);
        if (status === 'ANSWER') answered(placed, at, out);
        return true;
      }
      // A watched call (queue, Stasis) answered by another phone: over for this user (cause 26). A
      // Local half answering only relays its other half's answer, which has its own Dial event.
      if (status === 'ANSWER' && caller && peer.kind !== 'user' && peer.kind !== 'local') {
        const call = callOfRoot.get(rootOf(caller));
        if (call?.watched && !call.answered) {
          call.elsewhere = true;
          if (call.channels.length === 0) end(call, 26, at, out);
        }
      }
      return true;
    },
    ChannelStateChange(f, out) {
      // Only the user's own channels' states matter; the name says whose it is before any parsing.
      const name = (f.channel as { name?: unknown } | undefined)?.name;
      if (typeof name === 'string' && classify.kindOf(name) !== 'user') return true;
      const p = ariChannelFrame.safeParse(f);
      if (!p.success) return false;
      if (gone.has(p.data.channel.id)) return true;
      const u = upsert(p.data.channel);
      const at = timeOf(p.data.timestamp);
      const call = callOfChan.get(u.id);
      if (!call) {
        if (u.state === 'Ringing' || u.state === 'Up') u.parent ? attach(u, at, out) : originated(u, at, out);
        return true;
      }
      if (call.userDialled && !call.offered && u.state === 'Up') offer(call, directionPlaced(u), at, out);
      if (u.state === 'Ringing') ringing(call, at, out);
      if (u.state === 'Up' && !call.originated) answered(call, at, out);
      if (call.originated) refresh(call, at, out);
      return true;
    },
    ChannelCallerId: identity,
    ChannelConnectedLine: identity,
    ChannelHangupRequest(f) {
      const c = chans.get(String(idOf(f)));
      if (!c) return true;
      const p = ariHangupFrame.safeParse(f);
      if (!p.success) return false;
      // The request that is not `soft` names who hung up; the soft one follows on the dialling leg.
      if (!p.data.soft && p.data.cause) c.hangupCause = p.data.cause;
      return true;
    },
    ChannelDestroyed(f, out) {
      if (!chans.has(String(idOf(f)))) return true;
      const p = ariHangupFrame.safeParse(f);
      if (!p.success) return false;
      upsert(p.data.channel);
      destroy(p.data.channel.id, p.data.cause, timeOf(p.data.timestamp), out);
      return true;
    },
    ChannelEnteredBridge(f, out) {
      const p = ariBridgeFrame.safeParse(f);
      if (!p.success) return false;
      if (!p.data.channel || gone.has(p.data.channel.id)) return true;
      const c = upsert(p.data.channel);
      if (c.parent) return true;
      // A channel nobody dialled (ARI originate, a call from before a reconnect) joins its bridge's call.
      for (const other of p.data.bridge.channels) {
        const o = chans.get(other);
        if (!o || o === c) continue;
        if (c.kind === 'user' && !callOfChan.has(c.id) && o.kind !== 'user') {
          link(c, o);
          attach(c, timeOf(p.data.timestamp), out);
          return true;
        }
        if (c.kind !== 'user' && !callOfRoot.has(c.id)) link(c, o);
      }
      return true;
    },
    StasisStart(f, out) {
      const p = ariStasisFrame.safeParse(f);
      if (!p.success) return false;
      if (opts.app && p.data.application !== opts.app) return true;
      const c = upsert(p.data.channel);
      const at = timeOf(p.data.timestamp);
      const own = callOfChan.get(c.id);
      if (own) {
        if (own.userDialled && !own.offered) offer(own, directionPlaced(c), at, out);
        own.control = c.id;
        return true;
      }
      const call = callOfRoot.get(rootOf(c)) ?? watch(c, rootOf(c), at, out);
      if (call) call.control = c.id;
      return true;
    },
    StasisEnd(f) {
      const p = ariChannelFrame.safeParse(f);
      if (!p.success) return false;
      for (const call of calls.values()) if (call.control === p.data.channel.id) delete call.control;
      return true;
    },
    BridgeBlindTransfer(f, out) {
      const p = ariBlindTransferFrame.safeParse(f);
      if (!p.success) return false;
      if (p.data.result === 'Success') transferredAway(p.data.channel.id, timeOf(p.data.timestamp), out);
      return true;
    },
    BridgeAttendedTransfer(f, out) {
      const p = ariAttendedTransferFrame.safeParse(f);
      if (!p.success) return false;
      if (p.data.result !== 'Success') return true;
      const at = timeOf(p.data.timestamp);
      transferredAway(p.data.transferer_first_leg.id, at, out);
      transferredAway(p.data.transferer_second_leg.id, at, out);
      return true;
    },
  };

  function identity(f: Record<string, unknown>, out: CallEvent[]): boolean {
    const id = String(idOf(f));
    if (!chans.has(id)) return true;
    const p = ariChannelFrame.safeParse(f);
    if (!p.success) return false;
    upsert(p.data.channel);
    const call = callOfChan.get(id) ?? callOfRoot.get(id);
    if (call) refresh(call, timeOf(p.data.timestamp), out);
    return true;
  }

  /** A call that concerns the user before any of their phones rings (their queue, their Stasis app). */
  function watch(c: TrackedChannel, root: string, at: number, out: CallEvent[]): TrackedCall | undefined {
    const first = chans.get(root) ?? c;
    if (first.kind === 'user') return undefined;
    const call = newCall(root, first, { watched: true });
    call.userChannel = c.id;
    call.user = opts.endpoints[0] ?? '';
    call.userNumber = call.user.slice(call.user.indexOf('/') + 1);
    const outside = chainOf(c).some((x) => x.kind === 'trunk') || isOutsideNumber(first.caller.number, maxDigits);
    offer(call, outside ? 'inbound' : 'internal', at, out);
    return call;
  }

  // ---- public API -----------------------------------------------------------------------------

  function handle(frame: unknown): CallEvent[] {
    stats.frames++;
    let f: unknown = frame;
    if (typeof frame === 'string') {
      if (frame.length > MAX_FRAME_CHARS) return malformed();
      if (IGNORED_TEXT.test(frame) && !frame.includes('"channelvars"') && !frame.includes('"userevent"')) {
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
    if (!handler) {
      stats.ignored++;
      return [];
    }
    const out: CallEvent[] = [];
    if (!handler(f as Record<string, unknown>, out)) return malformed();
    stats.events += out.length;
    return out;
  }

  function malformed(): CallEvent[] {
    stats.malformed++;
    return [];
  }

  /**
   * After a reconnect ARI has kept nothing: `list` is GET /ari/channels. Calls the user is in get
   * whatever events they missed (offered, ringing, answered); calls we had whose channels are gone
   * end (cause unknown, as Asterisk cannot tell any more).
   */
  function reconcile(list: unknown[]): CallEvent[] {
    const at = now();
    const out: CallEvent[] = [];
    const present: AriChannel[] = [];
    for (const item of list) {
      const p = ariChannel.safeParse(item);
      if (p.success) present.push(p.data);
      else stats.malformed++;
    }
    const ids = new Set(present.map((c) => c.id));
    for (const id of [...chans.keys()]) if (!ids.has(id)) destroy(id, undefined, at, out);
    for (const call of [...calls.values()]) {
      if (call.channels.length === 0 && !chans.has(call.root)) end(call, undefined, at, out);
    }
    const fresh = present.filter((c) => !chans.has(c.id) && !gone.has(c.id)).map((c) => c.id);
    const tracked = present.filter((c) => !gone.has(c.id)).map(upsert);
    // Met mid-call, a channel's first dialplan position (the DID on a trunk) is unknown: Gotos have moved it.
    for (const c of tracked) if (fresh.includes(c.id)) c.firstExten = c.firstContext = '';
    for (const u of tracked) {
      if (u.kind !== 'user') continue;
      const call = callOfChan.get(u.id);
      if (call) {
        if (call.userDialled && !call.offered && u.state === 'Up') offer(call, directionPlaced(u), at, out);
        syncState(call, u, at, out);
        refresh(call, at, out);
        continue;
      }
      if (!fresh.includes(u.id)) continue;
      if (u.state === 'Ring' || (u.state === 'Up' && present.find((c) => c.id === u.id)?.dialplan.app_name !== 'AppDial')) {
        // The user's phone placed this call (it runs Dial itself rather than being AppDial'ed).
        const placed = newCall(u.id, u, { userDialled: true });
        join(placed, u);
        offer(placed, directionPlaced(u), at, out);
        syncState(placed, u, at, out);
        continue;
      }
      const partner = tracked
        .filter((c) => c.kind !== 'user' && c.kind !== 'local' && u.connected.number !== '' && c.caller.number === u.connected.number)
        .sort((a, b) => Number(b.kind === 'trunk') - Number(a.kind === 'trunk'))[0];
      if (partner) link(u, partner);
      attach(u, at, out);
    }
    stats.events += out.length;
    return out;
  }

  function snapshot(): AriSnapshot {
    return { v: 1, channels: [...chans.values()], calls: [...calls.values()], gone: [...gone], usedRoots: [...usedRoots] };
  }

  /** Picks up where a previous background left off; a corrupt snapshot is refused and changes nothing. */
  function restore(data: unknown): { ok: true } | { ok: false; error: string } {
    const p = ariSnapshot.safeParse(data);
    if (!p.success) return { ok: false, error: `ARI translator snapshot ignored: ${p.error.issues[0]?.message ?? 'invalid'}` };
    chans = new Map(p.data.channels.map((c) => [c.id, c]));
    calls = new Map(p.data.calls.map((c) => [c.id, c]));
    callOfChan.clear();
    callOfRoot.clear();
    localIds.clear();
    for (const c of chans.values()) if (c.kind === 'local') localIds.set(c.name, c.id);
    for (const call of calls.values()) {
      callOfRoot.set(call.root, call);
      for (const id of call.channels) callOfChan.set(id, call);
    }
    gone = new Set(p.data.gone);
    usedRoots = new Set(p.data.usedRoots);
    return { ok: true };
  }

  return {
    handle,
    reconcile,
    snapshot,
    restore,
    stats: (): AriTranslatorStats => ({ ...stats }),
    /** The channel of this call that waits in our Stasis app, if any: where control requests go. */
    controlChannel: (callId: string): string | undefined => calls.get(callId)?.control,
    /** Calls in progress (callIds), for the connection's status and tests. */
    activeCalls: (): string[] => [...calls.values()].filter((c) => c.offered).map((c) => c.id),
  };
}

export type { ChannelKind };
