import type { EndpointOptions } from './ari-endpoints';
import { createAriCore, type UserEvent } from './ari-core';

export type { UserEvent } from './ari-core';

export interface AriFanoutOptions extends EndpointOptions {
  /** Per endpoint: queues whose calls concern it from the moment a caller enters them. */
  queues?: Record<string, string[]>;
  /** Per endpoint: its Stasis control application (`StasisStart` for it makes the call controllable). */
  apps?: Record<string, string>;
  maxInternalDigits?: number;
  now?: () => number;
}

export type AriFanout = ReturnType<typeof createAriFanout>;

/**
 * Multi-user translation for a server with one ARI connection for the whole PBX (the bridge):
 * one user per endpoint, each getting exactly what `createAriTranslator({ endpoints: [endpoint] })`
 * would give (an internal call 100 → 101 is outbound/internal for 100 and a separate
 * inbound/internal call for 101), while each frame is parsed once and only the users a channel
 * concerns do any work.
 * e.g. `createAriFanout({ endpoints: ['PJSIP/100', 'PJSIP/101'], trunks: ['PJSIP/pstn'] }).handle(text)`
 *   → `[{ endpoint: 'PJSIP/101', event: { type: 'offered', … } }]`
 */
export function createAriFanout(opts: AriFanoutOptions) {
  const core = createAriCore({
    ...opts,
    users: opts.endpoints.map((e) => ({ endpoints: [e], queues: opts.queues?.[e], app: opts.apps?.[e] })),
  });
  return {
    /** One frame (the WebSocket's text, or an object) → events, each tagged with its endpoint. */
    handle: (frame: unknown): UserEvent[] => core.handle(frame),
    /** After every (re)connect, with GET /ari/channels. */
    reconcile: (channels: unknown[]): UserEvent[] => core.reconcile(channels),
    /** JSON state to survive a restart; `restore` refuses a corrupt one and changes nothing. */
    snapshot: core.snapshot,
    restore: core.restore,
    stats: core.stats,
    controlChannel: core.controlChannel,
    activeCalls: core.activeCalls,
  };
}
