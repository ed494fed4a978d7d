import type { CallEvent } from '../utils/calls/call-event';
import { ariAppFor } from '../utils/connectors/ari-connector';
import { createAriFanout } from '../utils/connectors/ari-fanout';

/** One event for one endpoint. */
export interface EndpointEvent {
  endpoint: string;
  event: CallEvent;
}

/**
 * ARI translation for every endpoint of a PBX at once: the interface the ingest uses, so the
 * implementation behind it can change without touching the ingest.
 */
export interface EndpointTranslator {
  handle(raw: string): EndpointEvent[];
  /** After every (re)connect: the channels from `GET /ari/channels`. */
  reconcile(channels: unknown[]): EndpointEvent[];
  /** The channel our Stasis app holds for this endpoint's call, if any. */
  controlChannel(endpoint: string, callId: string): string | undefined;
  snapshot(): unknown;
  /** Returns why a saved state was refused (and nothing changed), if it was. */
  restore(data: unknown): string | undefined;
  malformed(): number;
}

/**
 * The extension's multi-user translation (`createAriFanout`): each frame parsed once, every
 * endpoint getting exactly what its own extension translator would give. Each endpoint owns the
 * Stasis application `<app>-<number>`, as in the extension's ARI settings.
 */
export function createEndpointTranslator(o: { endpoints: string[]; trunks: string[]; queues: string[]; app: string; now?: () => number }): EndpointTranslator {
  const fanout = createAriFanout({
    endpoints: o.endpoints,
    trunks: o.trunks,
    queues: Object.fromEntries(o.endpoints.map((e) => [e, o.queues])),
    apps: Object.fromEntries(o.endpoints.map((e) => [e, ariAppFor(o.app, e)])),
    now: o.now,
  });
  return {
    handle: (raw) => fanout.handle(raw),
    reconcile: (channels) => fanout.reconcile(channels),
    controlChannel: (endpoint, callId) => fanout.controlChannel(endpoint, callId),
    snapshot: () => fanout.snapshot(),
    restore(data) {
      const r = fanout.restore(data);
      return r.ok ? undefined : r.error;
    },
    malformed: () => fanout.stats().malformed,
  };
}
