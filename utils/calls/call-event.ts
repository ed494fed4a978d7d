import type { ApplicationType, Direction, Variables } from '../templates/variables';

/**
 * The one normalised event language every connector speaks. Connectors translate their frames
 * into these; the call model is the only consumer. `at` is epoch milliseconds from the PBX when
 * it says, else from the receiving clock. `callId` is the call as the user sees it (all legs of
 * one call share it); `variables` carry CTI.md §2 names.
 */
export type CallEvent =
  | { type: 'offered'; callId: string; at: number; direction: Direction; variables: Variables }
  | { type: 'application'; callId: string; at: number; application: { type: ApplicationType; name: string } }
  | { type: 'ringing'; callId: string; at: number; variables?: Variables }
  | { type: 'answered'; callId: string; at: number; variables?: Variables }
  | { type: 'variables'; callId: string; at: number; variables: Variables }
  | { type: 'ended'; callId: string; at: number; cause?: number; cdr?: PbxCdr };

/** A CDR as the PBX supplies it (any subset of the CDR fields); it wins over our own figures. */
export type PbxCdr = Partial<Record<string, string>>;

export type CallEventType = CallEvent['type'];
