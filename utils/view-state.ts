import type { Call, LookupRecord } from './calls/call';
import type { DialCard } from './dial/dial-tracker';

/**
 * What the background publishes for the side panel, popup and options page (in
 * `storage.session` under VIEW_KEY, so a page that opens late still sees the current state).
 * Pages render it; they never compute call state themselves.
 */
export const VIEW_KEY = 'view';

export interface ConnectionHealth {
  state: 'unconfigured' | 'connecting' | 'connected' | 'reconnecting' | 'error';
  since: number;
  /** What went wrong, in words a person can act on (credentials never included). */
  lastError?: string;
  nextRetryAt?: number;
  /** The stream URL with credentials redacted. */
  url?: string;
}

export type PopState = 'pending' | 'popped' | 'suppressed' | 'refused' | 'none';

export interface CallCard {
  call: Call;
  lookups: LookupRecord[];
  pop: { state: PopState; url?: string; detail?: string; at?: number };
}

export interface HistoryEntry {
  id: string;
  direction: Call['direction'];
  number: string;
  name: string;
  startedAt: number;
  endedAt: number;
  outcome: 'answered' | 'missed' | 'busy' | 'failed' | 'answered-elsewhere';
  billsec: number;
  postcall: 'none' | 'pending' | 'delivered' | 'dead';
  /** The post-call record's idempotency key, to follow its delivery. */
  postcallKey?: string;
}

export interface OutboxView {
  pending: number;
  nextAttemptAt?: number;
  dead: { key: string; url: string; reason: string }[];
}

export interface ViewState {
  connection: ConnectionHealth;
  calls: CallCard[];
  /** Calls the user asked for that the PBX has not reported yet ("Calling …"), or that it refused. */
  dials: DialCard[];
  /** The user's phones (for "which phone rings") and the one that rings by default. */
  phones: { endpoints: string[]; selected: string };
  history: HistoryEntry[];
  outbox: OutboxView;
  doNotDisturb: boolean;
  /** Pops are shown in the panel itself (target side panel); otherwise a frame would load the CRM page twice. */
  framePops: boolean;
}
