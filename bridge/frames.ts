import type { CallEvent } from '../utils/calls/call-event';
import type { CallFrame } from '../utils/connectors/json-protocol';

/** A call frame as stored in JetStream: everything but `id`, which is the stream sequence. */
export type StoredFrame = CallFrame extends infer F ? (F extends unknown ? Omit<F, 'id'> : never) : never;

type Vars = Record<string, string>;
/** Drops undefined values (CTI variables are optional strings; the wire has only strings). */
const vars = (v: Partial<Vars>): Vars => Object.fromEntries(Object.entries(v).filter((e): e is [string, string] => e[1] !== undefined));

/** One endpoint's event as a protocol-v1 call frame (without its id). */
export function eventFrame(endpoint: string, e: CallEvent): StoredFrame {
  const base = { type: 'call' as const, callId: e.callId, at: e.at, users: [endpoint] };
  switch (e.type) {
    case 'offered': return { ...base, event: 'offered', direction: e.direction, variables: vars(e.variables) };
    case 'application': return { ...base, event: 'application', application: e.application };
    case 'ringing': return { ...base, event: 'ringing', ...(e.variables ? { variables: vars(e.variables) } : {}) };
    case 'answered': return { ...base, event: 'answered', ...(e.variables ? { variables: vars(e.variables) } : {}) };
    case 'variables': return { ...base, event: 'variables', variables: vars(e.variables) };
    case 'ended': return { ...base, event: 'ended', ...(e.cause === undefined ? {} : { cause: e.cause }), ...(e.cdr ? { cdr: vars(e.cdr) } : {}) };
  }
}

/** The stored frame with its stream sequence as the protocol's event id. */
export const withId = (frame: StoredFrame, seq: number): CallFrame => ({ ...frame, id: String(seq) }) as CallFrame;
