import type { CallEvent } from '../calls/call-event';
import type { ApplicationType, Direction, Variables } from '../templates/variables';
import type { ChannelGraph } from './ari-channel-graph';
import { isOutsideNumber } from './ari-endpoints';
import type { Dialler, TrackedCall, TrackedChannel, UserState } from './ari-snapshot';

const REMEMBERED_ROOTS = 4000;

export type Application = { type: ApplicationType; name: string };
export type CallTracker = ReturnType<typeof createCallTracker>;

export interface CallTrackerOptions {
  /** The user's key (its first endpoint); fan-out output is tagged with it. */
  key: string;
  /** Whether a channel is one of this user's phones. */
  owns: (c: TrackedChannel) => boolean;
  /** The configured endpoint a channel of this user belongs to, as written in settings. */
  endpointOf: (c: TrackedChannel) => string;
  /** Queues whose calls concern the user from the moment a caller enters them. */
  queues: ReadonlySet<string>;
  maxDigits: number;
  emit: (e: CallEvent) => void;
  /** For a phone rung before its Dial: the one ringing trunk whose caller its connected line names, if exactly one. */
  callerOf: (u: TrackedChannel) => TrackedChannel | undefined;
  /** Keeps the fan-out's root → trackers index true: called when a call starts or stops being rooted somewhere. */
  index: (root: string, add: boolean) => void;
}

const party = (p: { name: string; number: string }) => ({ calleridname: p.name, calleridnumber: p.number });
const asDialler = (c: TrackedChannel): Dialler => ({ id: c.id, name: c.name, app: c.app, data: c.appData, exten: c.exten, context: c.context });

/**
 * One user's calls (CTI.md §2): which calls concern them, the direction, the parties and the
 * lifecycle, judged from the user's own channels first. A rung phone says so itself (`AppDial`,
 * `AppQueue`, `Ringing`) and its connected line names the caller, so it is offered whether or not
 * the `Dial` that rang it has arrived; that `Dial`, a bridge or a connected-line change only refine
 * the call (root, DID, applications, parties), never start a second one or flip its direction.
 */
export function createCallTracker(o: CallTrackerOptions, graph: ChannelGraph) {
  let calls = new Map<string, TrackedCall>();
  const callOfChan = new Map<string, TrackedCall>();
  const callOfRoot = new Map<string, TrackedCall>();
  let usedRoots = new Set<string>();

  const kindOf = (c: TrackedChannel) => (o.owns(c) ? 'user' : c.kind);

  // ---- what the call says --------------------------------------------------------------------

  function userChannelOf(call: TrackedCall): TrackedChannel | undefined {
    const u = graph.get(call.channels[call.channels.length - 1] ?? call.userChannel);
    return u && o.owns(u) ? u : undefined;
  }

  /** Calling party, from the user's point of view (CTI.md §2). */
  function callingParty(call: TrackedCall, u: TrackedChannel | undefined): Record<string, string> {
    if (call.role === 'placed' || call.role === 'originated') {
      if (!u) return {};
      // Click-to-call often shows the number to be dialled as the phone's own caller ID: that is not the user.
      if (call.role === 'originated' && u.caller.number === u.connected.number && u.caller.number !== call.userNumber) {
        return { calleridname: '', calleridnumber: call.userNumber };
      }
      return party(u.caller);
    }
    if (u && u.connected.number) return party(u.connected);
    const root = graph.get(call.root);
    if (root && !o.owns(root)) return party(root.caller);
    return u ? party(u.connected) : {};
  }

  /** The variables that can change during a call (a `variables` event reports the difference). */
  function dynamicVars(call: TrackedCall): Record<string, string> {
    const u = userChannelOf(call);
    const root = graph.get(call.root);
    const vars: Record<string, string> = { ...callingParty(call, u), accountcode: u?.accountcode || root?.accountcode || '' };
    if (call.role === 'originated' && u) vars.exten = u.exten && u.exten !== 's' ? u.exten : u.connected.number;
    if (root?.kind === 'trunk' && root.firstExten) vars.did = root.firstExten;
    return vars;
  }

  function offerVars(call: TrackedCall, u: TrackedChannel, at: number): Variables {
    const origin = graph.get(call.root) ?? u;
    const last = call.appList[call.appList.length - 1];
    return {
      uniqueid: u.id,
      channel: u.name,
      linkedid: call.root,
      user: call.user,
      direction: call.direction,
      exten: origin.exten,
      context: origin.context,
      did: '',
      rdnis: origin.rdnis ?? u.rdnis ?? '',
      application: last?.name ?? '',
      application_type: last?.type ?? '',
      timestamp: String(Math.floor(at / 1000)),
      ...dynamicVars(call),
    };
  }

  function directionRung(u: TrackedChannel): Direction {
    const chain = graph.chainOf(u);
    if (chain.some((c) => c.kind === 'trunk')) return 'inbound';
    const p = u.connected.number || chain[chain.length - 1]?.caller.number || '';
    return isOutsideNumber(p, o.maxDigits) ? 'inbound' : 'internal';
  }

  function directionPlaced(u: TrackedChannel): Direction {
    const peer = u.peer ? graph.get(u.peer) : undefined;
    if (peer?.kind === 'trunk') return 'outbound';
    if (peer?.kind === 'phone') return 'internal';
    const dialled = peer?.kind === 'local' ? peer.name.slice(peer.name.indexOf('/') + 1).split('@')[0] ?? '' : u.exten;
    return isOutsideNumber(dialled, o.maxDigits) ? 'outbound' : 'internal';
  }

  // ---- lifecycle -----------------------------------------------------------------------------

  function newCall(root: string, u: TrackedChannel, role: TrackedCall['role']): TrackedCall {
    const id = usedRoots.has(root) ? `${root}-${u.id}` : root;
    const user = o.endpointOf(u);
    const call: TrackedCall = {
      id, root, user, userNumber: user.slice(user.indexOf('/') + 1), userChannel: u.id, channels: [], role,
      offered: false, ringing: false, answered: false, apps: [], appList: [], vars: {},
    };
    calls.set(id, call);
    callOfRoot.set(root, call);
    o.index(root, true);
    usedRoots.add(root);
    if (usedRoots.size > REMEMBERED_ROOTS) usedRoots.delete(usedRoots.values().next().value as string);
    return call;
  }

  function join(call: TrackedCall, u: TrackedChannel) {
    if (!o.owns(u) || call.channels.includes(u.id)) return;
    call.channels.push(u.id);
    call.userChannel = u.id;
    callOfChan.set(u.id, call);
  }

  function offer(call: TrackedCall, direction: Direction, at: number) {
    if (call.offered) return;
    const u = graph.get(call.userChannel);
    if (!u) return;
    call.direction = direction;
    call.offered = true;
    collectApps(call, u);
    const variables = offerVars(call, u, at);
    call.vars = dynamicVars(call);
    o.emit({ type: 'offered', callId: call.id, at, direction, variables });
    for (const a of call.appList) o.emit({ type: 'application', callId: call.id, at, application: a });
  }

  /** The applications the call passed through before it reached the user (queue, IVR, group …). */
  function collectApps(call: TrackedCall, u: TrackedChannel): Application[] {
    const fresh: Application[] = [];
    for (const c of graph.chainOf(u).reverse()) for (const a of c.apps) if (addApp(call, a)) fresh.push(a);
    return fresh;
  }

  function addApp(call: TrackedCall, a: Application): boolean {
    const key = `${a.type}:${a.name}`;
    if (call.apps.includes(key)) return false;
    call.apps.push(key);
    call.appList.push(a);
    return true;
  }

  function ringing(call: TrackedCall, at: number) {
    if (!call.offered || call.ringing || call.answered) return;
    call.ringing = true;
    o.emit({ type: 'ringing', callId: call.id, at });
  }

  function answered(call: TrackedCall, at: number) {
    if (!call.offered || call.answered) return;
    call.answered = true;
    o.emit({ type: 'answered', callId: call.id, at });
  }

  function refresh(call: TrackedCall, at: number) {
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
    o.emit({ type: 'variables', callId: call.id, at, variables: changed });
  }

  function end(call: TrackedCall, cause: number | undefined, at: number) {
    calls.delete(call.id);
    if (callOfRoot.get(call.root) === call) {
      callOfRoot.delete(call.root);
      o.index(call.root, false);
    }
    for (const id of call.channels) callOfChan.delete(id);
    if (callOfChan.get(call.userChannel) === call) callOfChan.delete(call.userChannel);
    if (!call.offered) return;
    const base = { type: 'ended' as const, callId: call.id, at, ...(call.cdr && { cdr: call.cdr }) };
    o.emit(cause === undefined ? base : { ...base, cause });
  }

  /**
   * The CDR fields of the user's leg as Asterisk writes its row: a leg the user's phone was rung on
   * is keyed on the channel that dialled it (party A: the trunk, a queue's caller), with the phone as
   * `dstchannel`; a leg the phone dials from is keyed on the phone. Disposition and billsec are ours.
   */
  function cdrOf(call: TrackedCall, u: TrackedChannel): Record<string, string> {
    if (call.role === 'placed' || call.role === 'originated') {
      const a = u.dialling;
      return { channel: u.name, uniqueid: u.id, dstchannel: u.peerName ?? '', lastapp: a?.app ?? u.app, lastdata: a?.data ?? u.appData, dst: u.exten, dcontext: u.context };
    }
    const parent = u.parent ? graph.get(u.parent) : undefined;
    const a = u.dialledBy ?? (parent && asDialler(parent));
    if (!a) return { dstchannel: u.name, dst: u.transferExten ?? u.exten, dcontext: u.context };
    return { channel: a.name, uniqueid: a.id, dstchannel: u.name, lastapp: a.app, lastdata: a.data, dst: u.transferExten ?? a.exten, dcontext: a.context };
  }

  /** The user's phone is tied to a root it was not known under (its Dial came late): the call takes that root. */
  function reroot(call: TrackedCall, u: TrackedChannel, at: number) {
    const root = graph.rootOf(u);
    if (root === call.root || callOfRoot.has(root)) return;
    moveRoot(call, root);
    if (!call.offered) return;
    for (const a of collectApps(call, u)) o.emit({ type: 'application', callId: call.id, at, application: a });
  }

  function moveRoot(call: TrackedCall, root: string) {
    if (callOfRoot.get(call.root) === call) {
      callOfRoot.delete(call.root);
      o.index(call.root, false);
    }
    call.root = root;
    callOfRoot.set(root, call);
    o.index(root, true);
  }

  /**
   * What a channel of the user's says about itself. A phone being rung (`AppDial`, `AppQueue`) is
   * taken at the Dial that names its caller or at its own Ringing, whichever comes first: Asterisk
   * does not order the two, and before either the phone is not ringing yet.
   */
  function roleOf(u: TrackedChannel): TrackedCall['role'] | undefined {
    if (u.placed) return 'placed';
    if (u.app === 'AppDial2') return 'originated';
    if (u.state === 'Ringing' || u.state === 'Up' || u.parent || u.dialledBy) return 'rung';
    return undefined;
  }

  function progress(call: TrackedCall, u: TrackedChannel, at: number) {
    if (call.role === 'placed') {
      if (!call.offered && (u.peer || u.state === 'Up')) offer(call, directionPlaced(u), at);
      if (u.state === 'Up') answered(call, at);
    } else if (call.role === 'originated') {
      // The phone rang for nobody yet; once answered, its dialplan runs at the destination.
      if (!call.offered && (u.peer || (u.state === 'Up' && u.app !== 'AppDial2'))) offer(call, directionPlaced(u), at);
    } else {
      if (!call.offered) offer(call, directionRung(u), at);
      if (u.state === 'Ringing') ringing(call, at);
      else if (u.state === 'Up') answered(call, at);
    }
    refresh(call, at);
  }

  /** A frame said something about one of the user's channels (already in the graph). */
  function channel(u: TrackedChannel, at: number) {
    let call = callOfChan.get(u.id);
    if (!call) {
      const role = roleOf(u);
      if (!role) return;
      // Rung before the Dial that names its caller (Asterisk does not order the two): tied to the
      // caller its connected line names, as a reconcile ties it, so the call's id (its root) is the
      // same whichever came first and whether the call was followed live or found in the channel list.
      const caller = role === 'rung' && !u.parent ? o.callerOf(u) : undefined;
      if (caller) graph.link(u, caller);
      const root = graph.rootOf(u);
      // A watched call (queue, Stasis) the phone is now rung for, or a second phone of the user's in the same call.
      call = (role === 'rung' && (callOfRoot.get(root) ?? (root === u.id ? watchedFor(u) : undefined))) || newCall(root, u, role);
      join(call, u);
    } else {
      reroot(call, u, at);
    }
    progress(call, u, at);
  }

  /**
   * A watched call this phone is rung for before the Dial that says so has arrived: the one whose
   * caller the phone's connected line names (Asterisk does not order the phone's Ringing after that Dial).
   */
  function watchedFor(u: TrackedChannel): TrackedCall | undefined {
    if (!u.connected.number) return undefined;
    for (const call of calls.values()) {
      if (call.role === 'watched' && !call.answered && graph.get(call.root)?.caller.number === u.connected.number) return call;
    }
    return undefined;
  }

  /** The user's phone dialled `peer` (Dial caller = the phone). */
  function dialled(u: TrackedChannel, status: string, at: number) {
    let call = callOfChan.get(u.id);
    if (!call) {
      channel(u, at);
      call = callOfChan.get(u.id);
      if (!call) return;
    }
    if (call.role === 'rung') return;
    if (!call.offered) offer(call, directionPlaced(u), at);
    refresh(call, at);
    if (status === 'RINGING') ringing(call, at);
    if (status === 'ANSWER') answered(call, at);
  }

  /** A Dial rang the user's phone (Dial peer = the phone). */
  function rung(u: TrackedChannel, status: string, at: number) {
    channel(u, at);
    const call = callOfChan.get(u.id);
    if (call && status === 'RINGING') ringing(call, at);
  }

  /** Another channel answered a Dial of this root: a watched call someone else took is over for the user (cause 26). */
  function answeredElsewhere(root: string, at: number) {
    const call = callOfRoot.get(root);
    if (!call || call.role !== 'watched' || call.answered) return;
    call.elsewhere = true;
    if (call.channels.length === 0) end(call, 26, at);
  }

  /** An application on a channel of a call the user is in (or placing). */
  function application(c: TrackedChannel, a: Application, at: number) {
    const own = callOfChan.get(c.id);
    if (own?.role === 'placed' && !own.offered) {
      offer(own, 'internal', at);
      return;
    }
    const call = callOfRoot.get(graph.rootOf(c));
    if (call?.offered && addApp(call, a)) o.emit({ type: 'application', callId: call.id, at, application: a });
  }

  /** A call that concerns the user before any of their phones rings (their queue, their Stasis app). */
  function watch(c: TrackedChannel, at: number): TrackedCall | undefined {
    const root = graph.rootOf(c);
    const existing = callOfRoot.get(root);
    if (existing) return existing;
    const first = graph.get(root) ?? c;
    if (o.owns(first)) return undefined;
    // The user's phone already rings for this caller (its Ringing overtook the queue's frames): that is the call.
    for (const k of calls.values()) {
      if (k.role === 'rung' && k.root === k.userChannel && first.caller.number && graph.get(k.userChannel)?.connected.number === first.caller.number) {
        moveRoot(k, root);
        return k;
      }
    }
    const call = newCall(root, first, 'watched');
    call.userChannel = c.id;
    call.user = o.key;
    call.userNumber = o.key.slice(o.key.indexOf('/') + 1);
    const outside = graph.chainOf(c).some((x) => x.kind === 'trunk') || isOutsideNumber(first.caller.number, o.maxDigits);
    offer(call, outside ? 'inbound' : 'internal', at);
    return call;
  }

  function watchQueue(c: TrackedChannel, queue: string, at: number) {
    if (o.queues.has(queue) && !callOfRoot.has(graph.rootOf(c))) watch(c, at);
  }

  /** Our Stasis app holds this channel: where control requests go. */
  function stasis(c: TrackedChannel, at: number) {
    const own = callOfChan.get(c.id);
    if (own) {
      if (own.role === 'placed' && !own.offered) offer(own, directionPlaced(c), at);
      own.control = c.id;
      return;
    }
    const call = watch(c, at);
    if (call) call.control = c.id;
  }

  function stasisEnd(id: string) {
    for (const call of calls.values()) if (call.control === id) delete call.control;
  }

  /** The user's channel is gone (`c` as it was last). */
  function destroyed(c: TrackedChannel, cause: number | undefined, at: number) {
    // The non-soft request's cause names who hung up; a 0 (Dial timeout) only when nothing better is known.
    const why = cause || c.hangupCause || cause;
    const call = callOfChan.get(c.id);
    if (call) {
      callOfChan.delete(c.id);
      call.channels = call.channels.filter((x) => x !== c.id);
      call.cdr = cdrOf(call, c);
      // A watched call outlives a ring attempt at the user's phone: the queue may ring it again.
      const waiting = call.role === 'watched' && !call.answered && !call.elsewhere && graph.has(call.root);
      if (call.channels.length === 0 && !waiting) end(call, why, at);
    }
    const rooted = callOfRoot.get(c.id);
    if (rooted && rooted.channels.length === 0 && calls.has(rooted.id)) end(rooted, why, at);
  }

  /** A transferer leaves the call; the call goes on for the others (CTI.md: "the user who transferred away gets ended"). */
  function transferredAway(id: string, at: number) {
    const call = callOfChan.get(id);
    if (!call) return;
    const u = graph.get(id);
    graph.forget(id);
    callOfChan.delete(id);
    call.channels = call.channels.filter((x) => x !== id);
    if (u) call.cdr = cdrOf(call, u);
    if (call.channels.length === 0) end(call, 16, at);
  }

  /** A non-user channel of a call the user is in changed identity (the customer after a transfer …). */
  function rootChanged(root: string, at: number) {
    const call = callOfRoot.get(root);
    if (call) refresh(call, at);
  }

  // ---- after a reconnect ---------------------------------------------------------------------

  /** Calls whose channels all went while we were away end (cause unknown). */
  function endVanished(at: number) {
    for (const call of [...calls.values()]) if (call.channels.length === 0 && !graph.has(call.root)) end(call, undefined, at);
  }

  /** One of the user's channels as GET /ari/channels lists it. */
  function reconciled(u: TrackedChannel, fresh: boolean, dialplanApp: string, partner: TrackedChannel | undefined, at: number) {
    const call = callOfChan.get(u.id);
    if (call) {
      progress(call, u, at);
      return;
    }
    if (!fresh) return;
    if (u.state === 'Ring' || (u.state === 'Up' && dialplanApp !== 'AppDial' && dialplanApp !== 'AppQueue' && !partner)) {
      // The user's phone placed this call (it runs Dial itself rather than being AppDial'ed).
      u.placed = true;
      const placed = newCall(u.id, u, 'placed');
      join(placed, u);
      offer(placed, directionPlaced(u), at);
      progress(placed, u, at);
      return;
    }
    if (partner) graph.link(u, partner);
    channel(u, at);
  }

  return {
    key: o.key,
    kindOf,
    channel, dialled, rung, answeredElsewhere, application, watchQueue, stasis, stasisEnd, destroyed, transferredAway,
    rootChanged, endVanished, reconciled,
    has: (id: string) => callOfChan.has(id),
    hasCalls: () => calls.size > 0,
    controlChannel: (callId: string): string | undefined => calls.get(callId)?.control,
    activeCalls: (): string[] => [...calls.values()].filter((c) => c.offered).map((c) => c.id),
    snapshot: (): UserState => ({ calls: [...calls.values()], usedRoots: [...usedRoots] }),
    restore(s: UserState) {
      for (const root of callOfRoot.keys()) o.index(root, false);
      calls = new Map(s.calls.map((c) => [c.id, c]));
      callOfChan.clear();
      callOfRoot.clear();
      for (const call of calls.values()) {
        callOfRoot.set(call.root, call);
        o.index(call.root, true);
        for (const id of call.channels) callOfChan.set(id, call);
      }
      usedRoots = new Set(s.usedRoots);
    },
  };
}
