import { APPLICATION_TYPES, type ApplicationType } from '../templates/variables';
import type { Application, CallTracker } from './ari-call-tracker';
import type { ChannelGraph } from './ari-channel-graph';
import {
  ariAttendedTransferFrame, ariBlindTransferFrame, ariBridgeFrame, ariChannelFrame, ariDialFrame,
  ariDialplanFrame, ariHangupFrame, ariStasisFrame, ariVarsetFrame,
} from './ari-schemas';
import type { TrackedChannel } from './ari-snapshot';

/** What the handlers need from the translator around them: the graph and who each channel concerns. */
export interface FrameContext {
  graph: ChannelGraph;
  /** The user whose phone this channel is, if any. */
  ownerOf(c: TrackedChannel): CallTracker | undefined;
  /** Users with a call rooted at `root`. */
  trackersAt(root: string): Iterable<CallTracker>;
  queueWatchers(queue: string): readonly CallTracker[];
  appOwner(app: string): CallTracker | undefined;
  timeOf(timestamp: string | undefined): number;
  /** Forgets a channel (`last` as it was) and tells whoever it concerned. */
  destroy(last: TrackedChannel, cause: number | undefined, at: number): void;
}

/** A frame handler: false when the frame's fields fail validation (counted as malformed). */
export type FrameHandler = (f: Record<string, unknown>) => boolean;

/** The dialplan variable admins set to raise an application event under ARI: `Set(CTIPOP_APP=inbound_route:Sales DID)`. */
export const CTIPOP_APP = 'CTIPOP_APP';

/** `inbound_route:Sales DID` → the application; anything else is not one. */
export function parseCtipopApp(value: string): Application | undefined {
  const colon = value.indexOf(':');
  const type = value.slice(0, colon).trim() as ApplicationType;
  const name = value.slice(colon + 1).trim();
  return colon > 0 && name && APPLICATION_TYPES.includes(type) ? { type, name } : undefined;
}

function applicationOf(app: string, data: string, c: TrackedChannel): Application | undefined {
  switch (app) {
    case 'Queue': return { type: 'queue', name: data.split(',')[0]?.trim() ?? '' };
    case 'Background':
    case 'WaitExten':
    case 'Read': return { type: 'ivr', name: c.context };
    case 'Dial': return (data.split(',')[0] ?? '').includes('&') ? { type: 'group', name: c.exten } : undefined;
    default: return undefined;
  }
}

/**
 * The frame-handler table: each handler validates the fields it reads, updates the channel graph
 * once, and hands the change to the users it concerns (the phone's owner, users with a call on the
 * channel's root, a queue's watchers, a Stasis app's owner) — never to every user.
 */
export function createFrameHandlers(x: FrameContext): Record<string, FrameHandler> {
  const { graph } = x;
  const idOf = (f: Record<string, unknown>) => String((f.channel as { id?: unknown } | undefined)?.id);

  /** The channel changed: its owner and every user with a call on its root hear of it. */
  function changed(c: TrackedChannel, at: number) {
    const owner = x.ownerOf(c);
    owner?.channel(c, at);
    for (const t of x.trackersAt(graph.rootOf(c))) if (t !== owner) t.rootChanged(graph.rootOf(c), at);
  }

  function application(c: TrackedChannel, app: Application, at: number) {
    if (!c.apps.some((a) => a.type === app.type && a.name === app.name)) c.apps.push(app);
    const owner = x.ownerOf(c);
    owner?.application(c, app, at);
    for (const t of x.trackersAt(graph.rootOf(c))) if (t !== owner) t.application(c, app, at);
    if (app.type === 'queue') for (const t of x.queueWatchers(app.name)) t.watchQueue(c, app.name, at);
  }

  function identity(f: Record<string, unknown>): boolean {
    if (!graph.has(idOf(f))) return true;
    const p = ariChannelFrame.safeParse(f);
    if (!p.success) return false;
    changed(graph.upsert(p.data.channel), x.timeOf(p.data.timestamp));
    return true;
  }

  function transferredAway(id: string, at: number) {
    const c = graph.get(id);
    if (c) x.ownerOf(c)?.transferredAway(id, at);
  }

  return {
    ChannelCreated(f) {
      const p = ariChannelFrame.safeParse(f);
      if (!p.success) return false;
      if (graph.isGone(p.data.channel.id)) return true;
      changed(graph.upsert(p.data.channel), x.timeOf(p.data.timestamp));
      return true;
    },
    ChannelDialplan(f) {
      const p = ariDialplanFrame.safeParse(f);
      if (!p.success) return false;
      if (graph.isGone(p.data.channel.id)) return true;
      const c = graph.upsert(p.data.channel);
      const at = x.timeOf(p.data.timestamp);
      changed(c, at);
      const app = applicationOf(p.data.dialplan_app, p.data.dialplan_app_data, c);
      if (app) application(c, app, at);
      return true;
    },
    ChannelVarset(f) {
      // Only CTIPOP_APP gets here: the text fast path drops every other variable unparsed.
      const p = ariVarsetFrame.safeParse(f);
      if (!p.success) return false;
      if (p.data.variable !== CTIPOP_APP || !p.data.channel || graph.isGone(p.data.channel.id)) return true;
      const app = parseCtipopApp(p.data.value);
      if (app) application(graph.upsert(p.data.channel), app, x.timeOf(p.data.timestamp));
      return true;
    },
    Dial(f) {
      const p = ariDialFrame.safeParse(f);
      if (!p.success) return false;
      const at = x.timeOf(p.data.timestamp);
      if (graph.isGone(p.data.peer.id)) return true;
      const peer = graph.upsert(p.data.peer);
      const caller = p.data.caller && !graph.isGone(p.data.caller.id) ? graph.upsert(p.data.caller) : undefined;
      const status = p.data.dialstatus;
      if (caller) {
        graph.link(peer, caller);
        // Party A of the CDR row: where the caller sat in the dialplan when it dialled (later frames may blank it).
        if (caller.app) {
          peer.dialledBy = { id: caller.id, name: caller.name, app: caller.app, data: caller.appData, exten: caller.exten, context: caller.context };
          caller.dialling = peer.dialledBy;
        }
        if (!caller.peer || status === 'ANSWER' || caller.peer === peer.id) {
          caller.peer = peer.id;
          caller.peerName = peer.name;
        }
      }
      x.ownerOf(peer)?.rung(peer, status, at);
      const owner = caller && x.ownerOf(caller);
      if (caller && owner) owner.dialled(caller, status, at);
      // A Local half answering only relays its other half's answer, which has its own Dial event.
      if (status === 'ANSWER' && caller && peer.kind !== 'local') {
        for (const t of x.trackersAt(graph.rootOf(caller))) if (t !== x.ownerOf(peer)) t.answeredElsewhere(graph.rootOf(caller), at);
      }
      return true;
    },
    ChannelStateChange(f) {
      const p = ariChannelFrame.safeParse(f);
      if (!p.success) return false;
      if (graph.isGone(p.data.channel.id)) return true;
      const c = graph.upsert(p.data.channel);
      x.ownerOf(c)?.channel(c, x.timeOf(p.data.timestamp));
      return true;
    },
    ChannelCallerId: identity,
    ChannelConnectedLine: identity,
    ChannelHangupRequest(f) {
      const c = graph.get(idOf(f));
      if (!c) return true;
      const p = ariHangupFrame.safeParse(f);
      if (!p.success) return false;
      // The request that is not `soft` names who hung up; the soft one follows on the dialling leg.
      if (!p.data.soft && p.data.cause) c.hangupCause = p.data.cause;
      return true;
    },
    ChannelDestroyed(f) {
      if (!graph.has(idOf(f))) return true;
      const p = ariHangupFrame.safeParse(f);
      if (!p.success) return false;
      x.destroy(graph.upsert(p.data.channel), p.data.cause, x.timeOf(p.data.timestamp));
      return true;
    },
    ChannelEnteredBridge(f) {
      const p = ariBridgeFrame.safeParse(f);
      if (!p.success) return false;
      if (!p.data.channel || graph.isGone(p.data.channel.id)) return true;
      const c = graph.upsert(p.data.channel);
      if (c.parent || c.placed) return true;
      // A channel nobody dialled (ARI originate, a call from before a reconnect) joins its bridge's call.
      const owner = x.ownerOf(c);
      for (const other of p.data.bridge.channels) {
        const o = graph.get(other);
        if (!o || o === c) continue;
        if (owner && !owner.has(c.id) && owner.kindOf(o) !== 'user') {
          graph.link(c, o);
          owner.channel(c, x.timeOf(p.data.timestamp));
          return true;
        }
        if (!owner && [...x.trackersAt(c.id)].length === 0) graph.link(c, o);
      }
      return true;
    },
    StasisStart(f) {
      const p = ariStasisFrame.safeParse(f);
      if (!p.success) return false;
      const t = x.appOwner(p.data.application);
      if (t) t.stasis(graph.upsert(p.data.channel), x.timeOf(p.data.timestamp));
      return true;
    },
    StasisEnd(f) {
      const p = ariStasisFrame.safeParse(f);
      if (!p.success) return false;
      x.appOwner(p.data.application)?.stasisEnd(p.data.channel.id);
      return true;
    },
    BridgeBlindTransfer(f) {
      const p = ariBlindTransferFrame.safeParse(f);
      if (!p.success) return false;
      if (p.data.result !== 'Success') return true;
      // Asterisk's row for the transferer's leg names the transfer target as dst.
      const c = graph.get(p.data.channel.id);
      if (c && p.data.exten) c.transferExten = p.data.exten;
      transferredAway(p.data.channel.id, x.timeOf(p.data.timestamp));
      return true;
    },
    BridgeAttendedTransfer(f) {
      const p = ariAttendedTransferFrame.safeParse(f);
      if (!p.success) return false;
      if (p.data.result !== 'Success') return true;
      const at = x.timeOf(p.data.timestamp);
      // The target now talks to the transferee: its leg's row is keyed on the transferee from here on.
      const target = p.data.transfer_target && graph.get(p.data.transfer_target.id);
      const transferee = p.data.transferee && !graph.isGone(p.data.transferee.id) ? graph.upsert(p.data.transferee) : undefined;
      if (target && transferee) target.dialledBy = { id: transferee.id, name: transferee.name, app: transferee.app, data: transferee.appData, exten: transferee.exten, context: transferee.context };
      transferredAway(p.data.transferer_first_leg.id, at);
      transferredAway(p.data.transferer_second_leg.id, at);
      return true;
    },
  };
}
