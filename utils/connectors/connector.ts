import type { CallEvent } from '../calls/call-event';
import type { ReplyActions } from '../engine/cti-engine';
import type { DialPlan } from '../dial/plan-dial';
import type { Link, OpenLink } from './link';

/** The PBX placed the call (`callId` names it when the PBX said so), or why it did not. */
export type DialOutcome = { ok: true; callId?: string } | { ok: false; reason: string };

export interface ControlResult {
  ok: boolean;
  reason?: string;
}

/** One way of listening to the PBX (JSON stream or ARI), as the connection manager drives it. */
export interface Connector {
  open: OpenLink;
  onOpen(link: Link): void;
  onFrame(raw: string, id?: string): void;
  ping(): string | undefined;
  /** Present when the connector can ask the PBX to act on a reply. */
  control?: (callId: string, actions: ReplyActions) => Promise<ControlResult>;
  /** Present when the connector can place calls (ARI originate, or `dial` on the WebSocket stream). */
  dial?: (plan: DialPlan) => Promise<DialOutcome>;
  /** Dropped frames and why (shown as the connection's last problem). */
  problems: () => { dropped: number; last?: string };
}

export interface ConnectorDeps {
  /** Hands events to the engine; the promise (if any) resolves once the engine has stored what they did. */
  emit: (events: CallEvent[]) => void | Promise<unknown>;
  activeCallIds: () => string[];
  /** Where the connector stores what it needs after a worker restart (resume point, ARI legs). */
  saveResume: (state: unknown) => void;
  resume: unknown;
  now: () => number;
}
