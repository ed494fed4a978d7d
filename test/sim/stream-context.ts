import type { ClientFrame, ServerFrame } from '../../utils/connectors/json-protocol';
import type { ClientRegistry, StreamClient } from './stream-clients';

export type ControlFrame = Extract<ClientFrame, { type: 'control' }>;

/** What the WebSocket and SSE endpoints need from the simulator. */
export interface StreamContext {
  token: string;
  /** False between /control/stop and /control/start: new connections are refused. */
  accepting(): boolean;
  registry: ClientRegistry;
  opening(users: string[], resume?: { token?: string; lastEventId: string }): ServerFrame[];
  connected(client: StreamClient): void;
  authFailed(transport: 'ws' | 'sse'): void;
  control(frame: ControlFrame): Extract<ServerFrame, { type: 'control-result' }>;
  /** Click-to-dial for a connection authenticated for `users` (see dial-handler.ts). */
  dial(frame: Extract<ClientFrame, { type: 'dial' }>, users: string[]): Extract<ServerFrame, { type: 'dial-result' }>;
  now(): number;
}

/** Constant-time enough for a test server, but never accepts an empty configured token. */
export function tokenMatches(expected: string, given: string | undefined): boolean {
  return expected !== '' && given === expected;
}
