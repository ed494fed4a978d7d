import { buildCdr, dispositionOf } from '../cdr/build-cdr';
import type { HistoryEntry } from '../view-state';
import type { Call } from './call';
import { otherParty } from './other-party';

const OUTCOME_OF_DISPOSITION = { BUSY: 'busy', FAILED: 'failed', CONGESTION: 'failed' } as const;

/**
 * The history line of an ended call: how it went (answered, answered elsewhere — Q.850 cause 26 —,
 * busy, failed, or missed), its billed seconds, and its post-call record by key, if one was queued.
 *
 * @example historyEntry(call, 'k1', Date.now()).outcome // → 'answered' once call.answeredAt is set
 */
export function historyEntry(call: Call, postcallKey: string | undefined, now: number): HistoryEntry {
  const disposition = dispositionOf(call);
  const outcome: HistoryEntry['outcome'] =
    call.answeredAt !== undefined
      ? 'answered'
      : call.cause === 26
        ? 'answered-elsewhere'
        : (OUTCOME_OF_DISPOSITION[disposition as keyof typeof OUTCOME_OF_DISPOSITION] ?? 'missed');
  return {
    id: call.id,
    direction: call.direction,
    // The other party: for an outbound call the number dialled, not the user (calleridnumber).
    ...otherParty(call),
    startedAt: call.offeredAt,
    endedAt: call.endedAt ?? now,
    outcome,
    billsec: Number(buildCdr(call).billsec),
    postcall: postcallKey ? 'pending' : 'none',
    postcallKey,
  };
}
