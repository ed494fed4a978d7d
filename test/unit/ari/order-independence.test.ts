import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createAriTranslator } from '../../../utils/connectors/ari-translate';
import { scrambleAri, seededRandom } from '../../sim/ari/scramble';
import { expected, SAME } from './asterisk-cdr';
import { callsOf } from './call-summary';
import { traceFrames, traceNames } from './helpers';

const USERS = ['PJSIP/100', 'PJSIP/101'];

function replay(frames: unknown[], user: string, queues: string[] = []) {
  const t = createAriTranslator({ endpoints: [user], trunks: ['PJSIP/pstn'], queues });
  return callsOf(frames.flatMap((f) => t.handle(JSON.stringify(f)))).map((c) => ({ summary: c.summary, cdr: Object.fromEntries(SAME.map((k) => [k, c.cdr[k]])) }));
}

describe('ARI translation does not depend on the order Asterisk does not keep', () => {
  it('every recorded trace, in the order received, makes the calls of Asterisk’s CDR rows, field by field', () => {
    let legs = 0;
    for (const name of traceNames()) {
      for (const user of USERS) {
        expect(replay(traceFrames(name), user), `${name} ${user}`).toEqual(expected(name, user));
        legs += expected(name, user).length;
      }
    }
    expect(legs).toBeGreaterThanOrEqual(15);
  });

  it('any merge of the per-channel sequences (within 40 ms) makes the same calls, callers, answers, dispositions, billsec and CDR fields', () => {
    fc.assert(fc.property(fc.constantFrom(...traceNames()), fc.integer(), (name, seed) => {
      const frames = scrambleAri(traceFrames(name) as Record<string, unknown>[], (f) => f, { windowMs: 40, random: seededRandom(seed) });
      // Calls that end in the same millisecond (both of a transferer's legs) may end in either order.
      const sorted = <T,>(calls: T[]) => calls.map((c) => JSON.stringify(c)).sort();
      for (const user of USERS) expect(sorted(replay(frames, user)), `${name} ${user} seed ${seed}`).toEqual(sorted(expected(name, user)));
    }), { numRuns: 200 });
  }, 30_000);

  it('the same holds for users who watch the queue (offered when the caller enters it, before any phone rings)', () => {
    const sorted = <T,>(calls: T[]) => calls.map((c) => JSON.stringify(c)).sort();
    fc.assert(fc.property(fc.constantFrom('d_queue_answered_by_101', 'n_queue_caller_abandons'), fc.integer(), (name, seed) => {
      const frames = scrambleAri(traceFrames(name) as Record<string, unknown>[], (f) => f, { windowMs: 40, random: seededRandom(seed) });
      for (const user of USERS) expect(sorted(replay(frames, user, ['support'])), `${name} ${user} seed ${seed}`).toEqual(sorted(expected(name, user)));
    }), { numRuns: 60 });
  });

  it('the scramble does reorder: the rung phone’s Ringing overtakes the Dial that names its caller in some merges', () => {
    const frames = traceFrames('d2_ringgroup_answered_by_101') as { type: string; channel?: { name: string }; dialstatus?: string; peer?: { name: string } }[];
    let overtaken = 0;
    for (let seed = 0; seed < 50; seed++) {
      const order = scrambleAri(frames, (f) => f as Record<string, unknown>, { windowMs: 40, random: seededRandom(seed) });
      const ringing = order.findIndex((f) => f.type === 'ChannelStateChange' && f.channel?.name.startsWith('PJSIP/101-'));
      const dial = order.findIndex((f) => f.type === 'Dial' && f.peer?.name.startsWith('PJSIP/101-'));
      if (ringing < dial) overtaken++;
    }
    expect(overtaken).toBeGreaterThan(5);
  });
});
