import type { ClientFrame, ServerFrame } from '../../utils/connectors/json-protocol';
import type { StreamClient } from './stream-clients';

export type ControlFrame = Extract<ClientFrame, { type: 'control' }>;
export type ControlResultFrame = Extract<ServerFrame, { type: 'control-result' }>;
export type DialFrame = Extract<ClientFrame, { type: 'dial' }>;
export type DialResultFrame = Extract<ServerFrame, { type: 'dial-result' }>;

/** Who a connection is, once its credentials were accepted. */
export interface Principal {
  /** For logs and control audits (the token's user, or `sim`). */
  name: string;
  /** The endpoints this connection receives; empty = every endpoint (the simulator's single token). */
  users: string[];
  /** Which PBX `users` are on, when a server carries several (a bridge edge); frames are published with it. */
  scope?: string;
  /** Epoch ms after which the connection is closed with `token-expired`. */
  expiresAt?: number;
  /** Token id, so a revocation can close the live connections that use it. */
  tokenId?: string;
  /**
   * Set by `opening` when the connection resumed from a point this server has not reached yet
   * (ids are sequence numbers): call frames with an id at or below it are not sent, the client has them.
   */
  after?: number;
}

export type AuthOutcome = { ok: true; principal: Principal } | { ok: false; code: string; message: string };

/**
 * What a protocol-v1 server (the simulator, a bridge edge) provides to the shared WebSocket and
 * SSE endpoints. The endpoints own framing, auth order, timeouts, heartbeats and delivery; the
 * backend owns who may connect, what they get first, and what `control` does.
 */
export interface StreamBackend {
  /** False while new connections are refused (HTTP 503). */
  accepting(): boolean;
  /** `users` is what the client asked for (`auth.users`, SSE `?users=`). */
  authenticate(token: string | undefined, users: string[], transport: 'ws' | 'sse'): AuthOutcome | Promise<AuthOutcome>;
  /**
   * `hello`, then the frames after the resume point or a `snapshot` and the current state.
   * Synchronous on purpose: the client joins live delivery in the same tick, so no frame falls
   * between its opening and its first live frame.
   */
  opening(principal: Principal, resume?: { token?: string; lastEventId: string }): ServerFrame[];
  control(principal: Principal, frame: ControlFrame): ControlResultFrame | Promise<ControlResultFrame>;
  /** Click-to-dial; a server without it answers `dial` with an `error` frame (`unsupported`). */
  dial?(principal: Principal, frame: DialFrame): DialResultFrame | Promise<DialResultFrame>;
  connected?(client: StreamClient): void;
  authFailed?(transport: 'ws' | 'sse', code: string): void;
  now(): number;
}
