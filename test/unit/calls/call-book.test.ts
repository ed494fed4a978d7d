import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyEvent, emptyBook, forgetCall, markPopped, setVariables, type CallBook, type Lifecycle } from '@/utils/calls/call-book';
import type { CallEvent } from '@/utils/calls/call-event';

const offered: CallEvent = { type: 'offered', callId: 'c1', at: 1000, direction: 'inbound', variables: { calleridnumber: '+15551234567', calleridname: 'Carol' } };
const ringing: CallEvent = { type: 'ringing', callId: 'c1', at: 1100 };
const answered: CallEvent = { type: 'answered', callId: 'c1', at: 6000 };
const ended: CallEvent = { type: 'ended', callId: 'c1', at: 12000, cause: 16 };

function run(events: CallEvent[], book: CallBook = emptyBook()) {
  const steps: Lifecycle['step'][] = [];
  for (const e of events) {
    const r = applyEvent(book, e);
    book = r.book;
    steps.push(...r.steps.map((s) => s.step));
  }
  return { book, steps };
}

describe('call book', () => {
  it('walks a call through offered, ringing, answered and ended with timestamps', () => {
    const { book, steps } = run([offered, ringing, answered, ended]);
    expect(steps).toEqual(['offered', 'ringing', 'answered', 'ended']);
    const call = book.calls.c1!;
    expect(call).toMatchObject({ state: 'ended', offeredAt: 1000, ringingAt: 1100, answeredAt: 6000, endedAt: 12000, cause: 16 });
    expect(call.variables.calleridname).toBe('Carol');
  });

  it('ignores repeated and replayed events', () => {
    const once = run([offered, ringing, answered]);
    const twice = run([offered, offered, ringing, ringing, answered, ringing, offered, answered]);
    expect(twice.steps).toEqual(once.steps);
    expect(twice.book).toEqual(once.book);
  });

  it('ignores everything about a call after it ended, even after it is forgotten', () => {
    let { book } = run([offered, ringing, ended]);
    book = forgetCall(book, 'c1');
    expect(book.calls.c1).toBeUndefined();
    const late = run([offered, ringing, answered], book);
    expect(late.steps).toEqual([]);
  });

  it('creates a call from its first event when the offer was missed', () => {
    const { book, steps } = run([{ type: 'ringing', callId: 'c9', at: 5, variables: { direction: 'internal' } }]);
    expect(steps).toEqual(['offered', 'ringing']);
    expect(book.calls.c9?.direction).toBe('internal');
  });

  it('does not create a call from an end it never saw begin', () => {
    const { book, steps } = run([ended]);
    expect(steps).toEqual([]);
    expect(book.calls).toEqual({});
    expect(book.ended).toContain('c1');
  });

  it('records an application once and exposes it as variables', () => {
    const app: CallEvent = { type: 'application', callId: 'c1', at: 1050, application: { type: 'queue', name: 'support' } };
    const { book, steps } = run([offered, app, app]);
    expect(steps).toEqual(['offered', 'application']);
    expect(book.calls.c1?.variables).toMatchObject({ application: 'support', application_type: 'queue' });
  });

  it('keeps values a reply set when the PBX repeats its own later', () => {
    let { book } = run([offered]);
    book = setVariables(book, 'c1', { calleridname: 'ACME Inc' });
    book = run([{ type: 'variables', callId: 'c1', at: 1200, variables: { calleridname: 'Carol', exten: '100' } }], book).book;
    expect(book.calls.c1?.variables).toMatchObject({ calleridname: 'ACME Inc', exten: '100' });
  });

  it('pops a call once, and never after it ended', () => {
    let { book } = run([offered, ringing]);
    const first = markPopped(book, 'c1');
    expect(first.first).toBe(true);
    expect(markPopped(first.book, 'c1').first).toBe(false);
    book = run([ended], first.book).book;
    expect(markPopped(forgetCall(book, 'c1'), 'c1').first).toBe(false);
  });

  it('survives a round trip through JSON storage', () => {
    const { book } = run([offered, ringing]);
    const restored = JSON.parse(JSON.stringify(book)) as CallBook;
    expect(run([ringing, answered], restored).steps).toEqual(['answered']);
  });

  it('gives at most one offer, ring, answer and end per call for any order and duplication of events', () => {
    const events: CallEvent[] = ['a', 'b'].flatMap((id) => [
      { ...offered, callId: id },
      { ...ringing, callId: id },
      { ...answered, callId: id },
      { ...ended, callId: id },
      { type: 'variables', callId: id, at: 3000, variables: { exten: '100' } } as CallEvent,
    ]);
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...events), { maxLength: 40 }), (sequence) => {
        let book = emptyBook();
        const counts = new Map<string, number>();
        let pops = 0;
        for (const e of sequence) {
          const r = applyEvent(book, e);
          book = r.book;
          for (const s of r.steps) {
            if (s.step === 'variables' || s.step === 'application') continue;
            const key = `${s.call.id}:${s.step}`;
            counts.set(key, (counts.get(key) ?? 0) + 1);
            if (s.step === 'ringing') {
              const m = markPopped(book, s.call.id);
              book = m.book;
              if (m.first) pops++;
            }
            if (s.step === 'ended') book = forgetCall(book, s.call.id);
          }
        }
        expect([...counts.values()].every((n) => n === 1)).toBe(true);
        expect(pops).toBeLessThanOrEqual(2);
      }),
      { numRuns: 500 },
    );
  });
});
