import { applyEvent, emptyBook } from '../../../utils/calls/call-book';
import type { CallEvent } from '../../../utils/calls/call-event';
import { buildCdr, type Cdr } from '../../../utils/cdr/build-cdr';

/** One call as the order-independence rule compares it. */
export interface CallSummary {
  direction: string;
  /** The caller shown when the call was first offered. */
  caller: string;
  answered: boolean;
  disposition: string;
  billsec: string;
}

/** The calls a stream of events makes for one user, through the real call model and CDR builder. */
export function callsOf(events: CallEvent[]): { summary: CallSummary; cdr: Cdr }[] {
  let book = emptyBook();
  const shown = new Map<string, string>();
  const out: { summary: CallSummary; cdr: Cdr }[] = [];
  for (const e of events) {
    const r = applyEvent(book, e);
    book = r.book;
    for (const step of r.steps) {
      const v = step.call.variables;
      if (step.step === 'offered') shown.set(step.call.id, `${v.calleridname ?? ''} <${v.calleridnumber ?? ''}>`);
      if (step.step !== 'ended') continue;
      const cdr = buildCdr(step.call);
      out.push({
        summary: { direction: step.call.direction, caller: shown.get(step.call.id) ?? '', answered: step.call.answeredAt !== undefined, disposition: cdr.disposition, billsec: cdr.billsec },
        cdr,
      });
    }
  }
  return out;
}
