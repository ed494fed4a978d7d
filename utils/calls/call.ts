import type { PbxCdr } from './call-event';
import type { ApplicationType, Direction, Variables } from '../templates/variables';

export type CallState = 'offered' | 'ringing' | 'answered' | 'ended';

/** One call as the user sees it, whatever number of legs the PBX used for it. */
export interface Call {
  id: string;
  direction: Direction;
  state: CallState;
  /** Applications the call passed through, in order (queue, IVR, group …). */
  applications: { type: ApplicationType; name: string; at: number }[];
  offeredAt: number;
  ringingAt?: number;
  answeredAt?: number;
  endedAt?: number;
  cause?: number;
  /** CTI.md §2 variables as they stand now, including what replies set. */
  variables: Variables;
  /** Names a CTI reply set: later PBX updates do not overwrite them (CTI.md §2, [ours]). */
  replied?: string[];
  /** The PBX's own CDR, when its stream provides one. */
  pbxCdr?: PbxCdr;
}

/** What the UI shows about one CTI request (URL already redacted of credentials). */
export interface LookupRecord {
  point: 'inbound' | 'outbound' | 'application' | 'popup' | 'postcall';
  url: string;
  /** `pending` while the request is under way: the view is published meanwhile. */
  outcome: 'pending' | 'ok' | 'timeout' | 'http' | 'network' | 'invalid' | 'refused' | 'circuit-open';
  status?: number;
  ms: number;
  detail?: string;
  /** Variables the reply changed, old → new. */
  changes?: Record<string, { from: string; to: string }>;
}
