import type { CallEvent } from '../calls/call-event';
import { PROTOCOL_VERSION, serverFrame, type ClientFrame, type CallFrame } from './json-protocol';

export interface JsonSessionState {
  resumeToken?: string;
  lastEventId?: string;
}

export interface FrameOutcome {
  events: CallEvent[];
  /** A frame to send back (WebSocket only). */
  reply?: ClientFrame;
  hello?: { serverId: string; heartbeatMs: number; resumed: boolean };
  controlResult?: { ref: string; ok: boolean; reason?: string };
  dialResult?: { ref: string; ok: boolean; callId?: string; reason?: string };
  /** Why a frame was dropped, for the connection's problem counter. */
  problem?: string;
}

const MAX_FRAME_CHARS = 256 * 1024;
const SEEN_IDS = 1000;

/**
 * The client side of protocol v1, transport-free: frames in, normalised events out. Keeps the
 * resume position, drops duplicates (the same event id twice, as a replay after resume can send),
 * and turns a snapshot into `ended` events for the calls that finished while we were away.
 */
export function createJsonSession(
  opts: { endpoints: string[]; token: string; activeCallIds: () => string[]; now: () => number; client?: { name: string; version: string; instance: string } },
  state: JsonSessionState = {},
) {
  const mine = new Set(opts.endpoints.map((e) => e.toLowerCase()));
  const seen = new Set<string>();
  const reported = new Set<string>();
  const stats = { frames: 0, dropped: 0, unknownTypes: [] as string[] };

  const concernsMe = (frame: CallFrame) => mine.size === 0 || frame.users.some((u) => mine.has(u.toLowerCase()));

  function toEvent(f: CallFrame): CallEvent {
    const base = { callId: f.callId, at: f.at };
    switch (f.event) {
      case 'offered': return { type: 'offered', ...base, direction: f.direction, variables: f.variables };
      case 'application': return { type: 'application', ...base, application: f.application };
      case 'ringing': return { type: 'ringing', ...base, variables: f.variables };
      case 'answered': return { type: 'answered', ...base, variables: f.variables };
      case 'variables': return { type: 'variables', ...base, variables: f.variables };
      case 'ended': return { type: 'ended', ...base, cause: f.cause, cdr: f.cdr };
    }
  }

  return {
    stats,
    state: (): JsonSessionState => ({ ...state }),
    /** The first frame on a WebSocket: the token travels in the frame, never in the URL. */
    authFrame(): ClientFrame {
      const resume = state.resumeToken && state.lastEventId ? { token: state.resumeToken, lastEventId: state.lastEventId } : undefined;
      return { type: 'auth', protocol: PROTOCOL_VERSION, token: opts.token, users: opts.endpoints, resume, client: opts.client };
    },
    handle(raw: string, sseId?: string): FrameOutcome {
      stats.frames++;
      if (raw.length > MAX_FRAME_CHARS) return drop(`frame of ${raw.length} characters is over the ${MAX_FRAME_CHARS} limit`);
      let json: unknown;
      try {
        json = JSON.parse(raw);
      } catch {
        return drop('frame is not valid JSON');
      }
      const parsed = serverFrame.safeParse(json);
      if (!parsed.success) {
        const type = (json as { type?: unknown })?.type;
        if (typeof type === 'string' && !['hello', 'snapshot', 'call', 'heartbeat', 'pong', 'control-result', 'dial-result', 'error'].includes(type)) {
          if (!reported.has(type)) {
            reported.add(type);
            stats.unknownTypes.push(type);
          }
          return { events: [] };
        }
        return drop(`frame does not match protocol v${PROTOCOL_VERSION}: ${parsed.error.issues[0]?.message ?? 'invalid'} at ${parsed.error.issues[0]?.path.join('.') ?? ''}`);
      }
      const frame = parsed.data;
      switch (frame.type) {
        case 'hello':
          state.resumeToken = frame.resumeToken;
          if (!frame.resumed) seen.clear();
          return { events: [], hello: { serverId: frame.serverId, heartbeatMs: frame.heartbeatMs, resumed: frame.resumed } };
        case 'snapshot': {
          const live = new Set(frame.callIds);
          const at = opts.now();
          return { events: opts.activeCallIds().filter((id) => !live.has(id)).map((callId) => ({ type: 'ended', callId, at })) };
        }
        case 'call': {
          const id = sseId ?? frame.id;
          if (seen.has(id)) return { events: [] };
          seen.add(id);
          if (seen.size > SEEN_IDS) seen.delete(seen.values().next().value as string);
          state.lastEventId = id;
          return { events: concernsMe(frame) ? [toEvent(frame)] : [] };
        }
        case 'control-result':
          return { events: [], controlResult: { ref: frame.ref, ok: frame.ok, reason: frame.reason } };
        case 'dial-result':
          return { events: [], dialResult: { ref: frame.ref, ok: frame.ok, callId: frame.callId, reason: frame.reason } };
        case 'error':
          return { events: [], problem: `server error ${frame.code}: ${frame.message}` };
        case 'heartbeat':
        case 'pong':
          return { events: [] };
      }
    },
  };

  function drop(problem: string): FrameOutcome {
    stats.dropped++;
    return { events: [], problem };
  }
}

export type JsonSession = ReturnType<typeof createJsonSession>;
