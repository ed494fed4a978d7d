import type { ReplyActions } from '../engine/cti-engine';
import type { ControlResult } from './connector';
import type { ClientFrame } from './json-protocol';

/** How long a `control` frame waits for its `control-result`; README's protocol section promises 3 s. */
export const CONTROL_ACK_MS = 3000;

/**
 * The client half of the protocol's control round-trip: `control` out with a fresh `ref`, the
 * matching `control-result` back, or a readable failure when the link is down or the server is
 * silent. `send` returns false when the frame could not be written.
 */
export function createControlRoundTrip(send: (frame: ClientFrame) => boolean, ackMs = CONTROL_ACK_MS) {
  const pending = new Map<string, (r: ControlResult) => void>();
  let refs = 0;
  return {
    request(callId: string, actions: ReplyActions): Promise<ControlResult> {
      return new Promise((resolve) => {
        if (!Object.keys(actions.set).length && !actions.route) return resolve({ ok: true });
        const ref = `c${++refs}`;
        const timer = setTimeout(() => settle({ ok: false, reason: `the PBX did not acknowledge within ${ackMs / 1000} s` }), ackMs);
        const settle = (r: ControlResult) => {
          clearTimeout(timer);
          pending.delete(ref);
          resolve(r);
        };
        pending.set(ref, settle);
        if (!send({ type: 'control', ref, callId, set: actions.set, route: actions.route, break: actions.break })) settle({ ok: false, reason: 'not connected to the PBX' });
      });
    },
    /** A `control-result` arrived. */
    settle(result: { ref: string; ok: boolean; reason?: string }) {
      pending.get(result.ref)?.({ ok: result.ok, ...(result.reason === undefined ? {} : { reason: result.reason }) });
    },
  };
}
