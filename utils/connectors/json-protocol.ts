import * as z from 'zod/mini';
import { APPLICATION_TYPES } from '../templates/variables';

/**
 * CTI Pop event stream protocol, version 1: the wire format a PBX panel or bridge speaks to the
 * extension over WebSocket (two-way) or Server-Sent Events (one-way). These zod schemas are the
 * single definition; README's "Event stream protocol" and its JSON schemas are generated from them.
 * Unknown fields are ignored (zod strips them) so servers can add fields without breaking clients.
 */
export const PROTOCOL_VERSION = 1;

const variables = z.record(z.string(), z.string());
const epochMs = z.int().check(z.nonnegative());

const callBase = {
  type: z.literal('call'),
  /** Monotonic per server; the resume position (WebSocket `resume.lastEventId`, SSE `id:`). */
  id: z.string().check(z.minLength(1), z.maxLength(64)),
  callId: z.string().check(z.minLength(1), z.maxLength(128)),
  at: epochMs,
  /** The endpoint(s) this event concerns (e.g. `PJSIP/100`); the client keeps only its own. */
  users: z.array(z.string().check(z.maxLength(128))).check(z.maxLength(64)),
};

export const callFrame = z.discriminatedUnion('event', [
  z.object({ ...callBase, event: z.literal('offered'), direction: z.enum(['inbound', 'outbound', 'internal']), variables }),
  z.object({ ...callBase, event: z.literal('application'), application: z.object({ type: z.enum(APPLICATION_TYPES), name: z.string().check(z.maxLength(128)) }) }),
  z.object({ ...callBase, event: z.literal('ringing'), variables: z.optional(variables) }),
  z.object({ ...callBase, event: z.literal('answered'), variables: z.optional(variables) }),
  z.object({ ...callBase, event: z.literal('variables'), variables }),
  z.object({ ...callBase, event: z.literal('ended'), cause: z.optional(z.int()), cdr: z.optional(variables) }),
]);

export const serverFrame = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('hello'),
    protocol: z.int(),
    serverId: z.string().check(z.maxLength(128)),
    /** Opaque; sent back in `auth.resume` to continue after the last event seen. */
    resumeToken: z.string().check(z.maxLength(256)),
    /** True when the server could replay everything after the client's last event id. */
    resumed: z.boolean(),
    heartbeatMs: z.int().check(z.positive(), z.maximum(60_000)),
  }),
  /** After a hello with resumed=false: the calls active now; calls the client has and this lacks ended meanwhile. */
  z.object({ type: z.literal('snapshot'), callIds: z.array(z.string()).check(z.maxLength(10_000)) }),
  callFrame,
  z.object({ type: z.literal('heartbeat'), at: epochMs }),
  z.object({ type: z.literal('pong'), nonce: z.string().check(z.maxLength(64)) }),
  z.object({ type: z.literal('control-result'), ref: z.string().check(z.maxLength(64)), ok: z.boolean(), reason: z.optional(z.string().check(z.maxLength(500))) }),
  /** Answer to `dial`: `callId` names the call the PBX placed (its call events follow), or why not. */
  z.object({ type: z.literal('dial-result'), ref: z.string().check(z.maxLength(64)), ok: z.boolean(), callId: z.optional(z.string().check(z.maxLength(128))), reason: z.optional(z.string().check(z.maxLength(500))) }),
  z.object({ type: z.literal('error'), code: z.string().check(z.maxLength(64)), message: z.string().check(z.maxLength(500)) }),
]);

export const clientFrame = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('auth'),
    protocol: z.int(),
    token: z.string().check(z.maxLength(4096)),
    users: z.array(z.string().check(z.maxLength(128))).check(z.maxLength(64)),
    resume: z.optional(z.object({ token: z.string().check(z.maxLength(256)), lastEventId: z.string().check(z.maxLength(64)) })),
    /** Who is connecting, for the server's logs: `instance` changes each time the browser restarts the worker. */
    client: z.optional(z.object({ name: z.string().check(z.maxLength(64)), version: z.string().check(z.maxLength(32)), instance: z.string().check(z.maxLength(64)) })),
  }),
  z.object({ type: z.literal('ping'), nonce: z.string().check(z.maxLength(64)) }),
  z.object({
    type: z.literal('control'),
    ref: z.string().check(z.maxLength(64)),
    callId: z.string().check(z.maxLength(128)),
    set: variables,
    route: z.nullable(z.object({ type: z.string(), name: z.string() })),
    break: z.boolean(),
  }),
  /**
   * Click-to-dial: ring `endpoint` (one of this connection's `auth.users`) first, then dial
   * `number` from it. `number` is what the PBX dials: digits, or `+` and digits (E.164).
   */
  z.object({
    type: z.literal('dial'),
    ref: z.string().check(z.maxLength(64)),
    endpoint: z.string().check(z.minLength(1), z.maxLength(128)),
    number: z.string().check(z.regex(/^\+?[0-9]{1,20}$/)),
  }),
]);

export type CallFrame = z.infer<typeof callFrame>;
export type ServerFrame = z.infer<typeof serverFrame>;
export type ClientFrame = z.infer<typeof clientFrame>;
