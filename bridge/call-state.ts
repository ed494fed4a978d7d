import type { CallFrame } from '../utils/connectors/json-protocol';

/** A leg keeps at most this many frames (a call with endless variable changes stays bounded). */
const MAX_FRAMES_PER_LEG = 64;

/**
 * The calls active now, per endpoint, folded from the event stream: what a `snapshot` lists and
 * the frames that bring a client to the current state (its `offered`, `application`s, `ringing`
 * or `answered`, `variables`). A leg leaves with its `ended`. Deterministic, so the ingest (which
 * saves it to KV) and every edge (which folds on from there) agree.
 */
export function createCallState() {
  // endpoint → callId → frames
  const legs = new Map<string, Map<string, CallFrame[]>>();

  function apply(frame: CallFrame) {
    for (const user of frame.users) {
      let calls = legs.get(user);
      if (frame.event === 'ended') {
        calls?.delete(frame.callId);
        if (calls?.size === 0) legs.delete(user);
        continue;
      }
      if (!calls) legs.set(user, (calls = new Map()));
      const frames = calls.get(frame.callId) ?? [];
      if (frames.length === 0 && frame.event !== 'offered') continue; // the start was before our window: nothing to show
      if (frames.length >= MAX_FRAMES_PER_LEG) frames.splice(1, 1);
      frames.push(frame);
      calls.set(frame.callId, frames);
    }
  }

  return {
    apply,
    /** The active calls of these endpoints (all when `users` is empty), oldest first, with their frames. */
    active(users: string[]): { callId: string; frames: CallFrame[] }[] {
      const out = new Map<string, CallFrame[]>();
      for (const user of users.length ? users : [...legs.keys()]) {
        for (const [callId, frames] of legs.get(user) ?? []) out.set(callId, [...(out.get(callId) ?? []), ...frames]);
      }
      return [...out].map(([callId, frames]) => ({ callId, frames: frames.sort((a, b) => Number(a.id) - Number(b.id)) }));
    },
    /** Is this call active for one of these endpoints? (control is allowed on one's own calls only) */
    has(users: string[], callId: string): boolean {
      return users.some((u) => legs.get(u)?.has(callId));
    },
    toJSON(): Record<string, Record<string, CallFrame[]>> {
      return Object.fromEntries([...legs].map(([u, calls]) => [u, Object.fromEntries(calls)]));
    },
    load(json: Record<string, Record<string, CallFrame[]>>) {
      legs.clear();
      for (const [u, calls] of Object.entries(json)) legs.set(u, new Map(Object.entries(calls)));
    },
  };
}

export type CallState = ReturnType<typeof createCallState>;
