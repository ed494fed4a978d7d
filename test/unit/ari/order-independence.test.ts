import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createAriTranslator } from '../../../utils/connectors/ari-translate';
import { scrambleAri, seededRandom } from '../../sim/ari/scramble';
import { callsOf } from './call-summary';
import { traceFrames, traceNames } from './helpers';

const USERS = ['PJSIP/100', 'PJSIP/101'];
const CDR_COLUMNS = ['accountcode', 'src', 'dst', 'dcontext', 'clid', 'channel', 'dstchannel', 'lastapp', 'lastdata', 'start', 'answer', 'end', 'duration', 'billsec', 'disposition', 'amaflags', 'uniqueid', 'userfield'] as const;
/** The fields Asterisk's row and our post-call record must agree on, field by field. */
const SAME = ['channel', 'dstchannel', 'uniqueid', 'lastapp', 'lastdata', 'src', 'dst', 'dcontext', 'clid', 'disposition'] as const;

/**
 * billsec as CTI.md defines it (from the user's own answer) where it differs from Asterisk's row,
 * which counts from when the caller was answered: by the queue (d), by the IVR (h), or before the
 * blind transfer reached the target (f). Unanswered legs are 0 for us whatever the row says.
 */
const OUR_BILLSEC: Record<string, string> = {
  'd_queue_answered_by_101 PJSIP/101': '6',
  'f_blind_transfer_100_to_101 PJSIP/101': '5',
  'h_ivr_option1_to_100 PJSIP/100': '4',
};

function csvRow(line: string): string[] {
  const out: string[] = [];
  const re = /("((?:[^"]|"")*)"|[^,]*)(,|$)/g;
  for (let m = re.exec(line); m && m.index < line.length; m = re.exec(line)) out.push(m[2] !== undefined ? m[2].replaceAll('""', '"') : m[1] ?? '');
  return out;
}

/** Asterisk's CDR rows of a trace, keyed by column name. */
function asteriskRows(name: string): Record<string, string>[] {
  const text = readFileSync(new URL(`../../fixtures/ari/${name}.cdr.csv`, import.meta.url), 'utf8').trim();
  return text ? text.split('\n').map((l) => Object.fromEntries(csvRow(l).map((v, i) => [CDR_COLUMNS[i], v]))) : [];
}

/** The row of the user's leg: the user's phone is its channel or its dstchannel. */
const isLegOf = (row: Record<string, string>, user: string) => [row.channel, row.dstchannel].some((c) => c?.startsWith(`${user}-`));

/** The calls each phone should see, from Asterisk's own rows. */
function expected(name: string, user: string) {
  return asteriskRows(name).filter((r) => isLegOf(r, user)).map((r) => {
    const placed = r.channel?.startsWith(`${user}-`);
    const direction = !placed ? (r.channel?.startsWith('PJSIP/pstn') ? 'inbound' : 'internal') : r.dstchannel?.startsWith('PJSIP/pstn') ? 'outbound' : 'internal';
    const answered = r.disposition === 'ANSWERED';
    const [, callerName = '', number = ''] = /^"(.*)" <(.*)>$/.exec(r.clid ?? '') ?? [];
    return {
      summary: { direction, caller: `${callerName} <${number}>`, answered, disposition: r.disposition, billsec: answered ? OUR_BILLSEC[`${name} ${user}`] ?? r.billsec : '0' },
      cdr: Object.fromEntries(SAME.map((k) => [k, r[k]])),
    };
  });
}

function replay(frames: unknown[], user: string) {
  const t = createAriTranslator({ endpoints: [user], trunks: ['PJSIP/pstn'] });
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
      for (const user of USERS) expect(replay(frames, user), `${name} ${user} seed ${seed}`).toEqual(expected(name, user));
    }), { numRuns: 400 });
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
