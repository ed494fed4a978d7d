import type { CallEvent } from '../utils/calls/call-event';
import { ariAppFor } from '../utils/connectors/ari-connector';
import { createAriTranslator, type AriTranslator } from '../utils/connectors/ari-translate';

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
  restore(data: unknown): void;
  malformed(): number;
}

/**
 * Interim: one extension translator per endpoint, each fed every frame. Same semantics as the
 * extension by construction (it is the extension's translator), at N times the parsing cost.
 */
export function createPerEndpointTranslator(o: { endpoints: string[]; trunks: string[]; queues: string[]; /** Stasis app prefix: each endpoint's translator owns `<app>-<number>`. */
  app: string; now?: () => number }): EndpointTranslator {
  const byEndpoint = new Map<string, AriTranslator>(o.endpoints.map((endpoint) => [endpoint, createAriTranslator({ endpoints: [endpoint], trunks: o.trunks, queues: o.queues, app: ariAppFor(o.app, endpoint), now: o.now })]));
  const each = (fn: (t: AriTranslator) => CallEvent[]): EndpointEvent[] => {
    const out: EndpointEvent[] = [];
    for (const [endpoint, t] of byEndpoint) for (const event of fn(t)) out.push({ endpoint, event });
    return out;
  };
  return {
    handle: (raw) => each((t) => t.handle(raw)),
    reconcile: (channels) => each((t) => t.reconcile(channels)),
    controlChannel: (endpoint, callId) => byEndpoint.get(endpoint)?.controlChannel(callId),
    snapshot: () => Object.fromEntries([...byEndpoint].map(([e, t]) => [e, t.snapshot()])),
    restore(data) {
      const saved = (data ?? {}) as Record<string, unknown>;
      for (const [e, t] of byEndpoint) if (saved[e] !== undefined) t.restore(saved[e]);
    },
    malformed: () => Math.max(0, ...[...byEndpoint.values()].map((t) => t.stats().malformed)),
  };
}
