import type { CallEvent } from '../calls/call-event';
import { createAriCore, type AriTranslatorStats } from './ari-core';
import type { EndpointOptions } from './ari-endpoints';

export { ariChannelsUrl, ariEventsUrl, redactAriUrl } from './ari-urls';
export type { AriTranslatorStats } from './ari-core';
export type { ChannelKind } from './ari-endpoints';

export interface AriTranslatorOptions extends EndpointOptions {
  /** Queues whose calls concern the user from the moment a caller enters them, before any phone rings. */
  queues?: string[];
  /** Our Stasis application; `StasisStart` for it makes a call controllable, other apps' are ignored. */
  app?: string;
  /** Longest internal extension, in digits; longer numbers (or `+…`) are outside callers. Default 6. */
  maxInternalDigits?: number;
  now?: () => number;
}

export type AriTranslator = ReturnType<typeof createAriTranslator>;

/**
 * Turns the ARI event stream of a whole PBX (`/ari/events?subscribeAll=true`) into CallEvents for
 * one user (CTI.md §2): the facade over the channel graph (ari-channel-graph), the user's call
 * tracker (ari-call-tracker) and the frame-handler table (ari-frame-handlers). The callId is the
 * uniqueid of the call's first channel when it is known at the offer (what Asterisk calls linkedid,
 * which ARI does not send). Every event is emitted once: repeated frames find nothing new to say.
 *
 * Direction: a call the user's phone is rung for is `inbound` when a trunk leg is on the path or
 * the calling number is an outside number, else `internal`; a call the user's phone places is
 * `outbound` when it dials a trunk (or an outside number through a Local channel), else
 * `internal`; a call the PBX originates to the user's phone (click-to-call) is `outbound` or
 * `internal` by its destination, known once the answered phone's dialplan runs at it.
 */
export function createAriTranslator(opts: AriTranslatorOptions) {
  const core = createAriCore({ ...opts, users: [{ endpoints: opts.endpoints, queues: opts.queues, app: opts.app }] });
  const user = opts.endpoints[0] ?? '';
  const events = (list: { event: CallEvent }[]): CallEvent[] => list.map((x) => x.event);
  return {
    handle: (frame: unknown): CallEvent[] => events(core.handle(frame)),
    reconcile: (list: unknown[]): CallEvent[] => events(core.reconcile(list)),
    snapshot: core.snapshot,
    restore: core.restore,
    stats: (): AriTranslatorStats => core.stats(),
    /** The channel of this call that waits in our Stasis app, if any: where control requests go. */
    controlChannel: (callId: string): string | undefined => core.controlChannel(user, callId),
    /** Calls in progress (callIds), for the connection's status and tests. */
    activeCalls: (): string[] => core.activeCalls(user),
  };
}
