import type { Call } from './call';

/** An inbound call nobody answered (not answered elsewhere, cause 26) from a number that can be called back. */
export function isMissed(call: Pick<Call, 'direction' | 'variables' | 'answeredAt' | 'cause'>): boolean {
  return call.direction === 'inbound' && call.answeredAt === undefined && call.cause !== 26 && Boolean(call.variables.calleridnumber);
}

/**
 * Who the user is talking to. For inbound and internal calls that is the calling party
 * (`calleridname`/`calleridnumber`); for an outbound call the calling party is the user
 * (CTI.md §2), and the other party is the number dialled, `exten`.
 */
export function otherParty(call: Pick<Call, 'direction' | 'variables'>): { name: string; number: string } {
  const v = call.variables;
  if (call.direction === 'outbound') return { name: '', number: v.exten ?? '' };
  return { name: v.calleridname ?? '', number: v.calleridnumber ?? '' };
}
