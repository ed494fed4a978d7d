import { describe, expect, it } from 'vitest';
import { launchWithExtension, waitFor } from '../harness/launch';
import { startPeers } from '../harness/peers';
import { call, chaosSettings, countBy, report, SHORT, sleep } from './chaos-helpers';
import { inLane } from '../harness/lanes';

const FRAMES = SHORT ? 300 : 1000;
/** Calls per kind; each kind has an exact expected number of pops and post-call records. */
const PER_KIND = SHORT ? 3 : 8;

type Kind = 'normal' | 'replayed' | 'duplicated' | 'ringing-first' | 'ended-before-ringing' | 'ended-first';
const EXPECT: Record<Kind, { pops: number; records: number }> = {
  normal: { pops: 1, records: 1 },
  replayed: { pops: 1, records: 1 },
  duplicated: { pops: 1, records: 1 },
  'ringing-first': { pops: 1, records: 1 },
  // Offered, then ended, then a late ringing: nothing to pop, but the call existed.
  'ended-before-ringing': { pops: 0, records: 1 },
  // The first word about the call is its end: never seen, nothing to pop or record.
  'ended-first': { pops: 0, records: 0 },
};

let id = 5_000_000;
const frame = (callId: string, event: string, extra: object = {}) =>
  JSON.stringify({ type: 'call', id: String(id++), callId, at: Date.now(), users: ['PJSIP/100'], event, ...extra });

/**
 * Frames for every call in two phases (everything up to ringing, then the ends), so each call's
 * pop is decided before its end arrives; noise fills each phase up to FRAMES in total.
 */
function build() {
  const calls = (Object.keys(EXPECT) as Kind[]).flatMap((kind, k) =>
    Array.from({ length: PER_KIND }, (_, i) => ({ kind, callId: `abuse-${k}-${i}`, number: `+4930700${k}${String(i).padStart(3, '0')}` })),
  );
  const ringPhase: string[] = [];
  const endPhase: string[] = [];
  for (const c of calls) {
    const vars = { calleridnumber: c.number, calleridname: `Abuse ${c.kind}` };
    const offered = frame(c.callId, 'offered', { direction: 'inbound', variables: vars });
    const ringing = frame(c.callId, 'ringing', { variables: vars });
    const ended = frame(c.callId, 'ended', { cause: 16 });
    switch (c.kind) {
      case 'normal': ringPhase.push(offered, ringing); endPhase.push(ended); break;
      case 'replayed': ringPhase.push(offered, ringing, offered, ringing, offered); endPhase.push(ended, ended, ended); break;
      case 'duplicated':
        ringPhase.push(offered, frame(c.callId, 'offered', { direction: 'inbound', variables: vars }), ringing, frame(c.callId, 'ringing', { variables: vars }));
        endPhase.push(ended, frame(c.callId, 'ended', { cause: 16 }));
        break;
      case 'ringing-first': ringPhase.push(ringing, offered); endPhase.push(ended); break;
      case 'ended-before-ringing': ringPhase.push(offered); endPhase.push(ended, ringing); break;
      case 'ended-first': ringPhase.push(ended); endPhase.push(offered, ringing); break;
    }
  }
  // Noise repeats only first-phase frames: a copy of a late frame placed before its original would change the story.
  const sent = [...ringPhase];
  const noise = (n: number, phase: string[]) => {
    const out: string[] = [];
    for (let i = 0; i < n; i++) {
      const pick = sent[(i * 7919) % sent.length] ?? '';
      switch (i % 6) {
        case 0: out.push(pick); break; // replayed as-is (same id)
        case 1: out.push(pick.replace(/"id":"\d+"/, `"id":"${id++}"`)); break; // duplicated under a new id
        case 2: out.push(`{"type":"call","id":"${id++}","callId":"broken-${i}","event":"ringing"`); break; // cut off
        case 3: out.push(JSON.stringify({ type: 'call', id: String(id++), callId: `shape-${i}`, at: 'yesterday', users: 'PJSIP/100', event: 'ringing' })); break;
        case 4: out.push(i % 60 === 4 ? frame(`oversize-${i}`, 'offered', { direction: 'inbound', variables: { calleridnumber: '+493099', calleridname: 'x'.repeat(300_000) } }) : '\u0000\uFFFF not json at all'); break;
        case 5: out.push(JSON.stringify({ type: 'future-frame', id: String(id++), payload: { nested: [1, 2, 3] } })); break;
      }
    }
    // Spread the noise through the phase's real frames.
    return phase.flatMap((f, i) => [f, ...out.slice(Math.floor((i * out.length) / phase.length), Math.floor(((i + 1) * out.length) / phase.length))]);
  };
  const room = Math.max(0, FRAMES - ringPhase.length - endPhase.length);
  const first = noise(Math.floor(room / 2), ringPhase);
  const second = noise(room - Math.floor(room / 2), endPhase);
  return { calls, first, second };
}

/**
 * Replayed, duplicated, out-of-order, broken, misshapen and oversize frames on the JSON stream:
 * the background keeps running (same worker, no reconnect), and pops and post-call records are
 * exactly what the call model says, per call.
 */
describe.runIf(inLane('chromium'))('abusive frames on the PBX stream (Chromium)', () => {
  it(`${FRAMES} frames: 0 crashes, exact pop and post-call counts`, async () => {
    const peers = await startPeers();
    const ext = await launchWithExtension('chromium');
    try {
      // Every pop in a tab of its own: a reused tab would cancel navigations when pops come in a burst.
      await ext.configure(chaosSettings(peers, { behaviour: { reuseTab: false, focus: false } }));
      await waitFor('Chromium to connect', () => peers.sim.state().ws > 0 || undefined, 30_000);
      const before = peers.sim.state();
      const { calls, first, second } = build();
      const wantPops = calls.filter((c) => EXPECT[c.kind].pops).length;
      const wantRecords = calls.filter((c) => EXPECT[c.kind].records).length;
      const numbers = new Set(calls.map((c) => c.number));
      const mine = (m: Map<string, number>) => [...m.entries()].filter(([n]) => numbers.has(n));
      expect(peers.sim.inject(first, 'ws')).toBe(1);
      await waitFor(`${wantPops} pops`, () => mine(countBy(peers.crm, 'pop')).length >= wantPops || undefined, 60_000);
      await sleep(1500);
      expect(peers.sim.inject(second, 'ws')).toBe(1);
      await waitFor(`${wantRecords} post-call records`, () => mine(countBy(peers.crm, 'postcall')).length >= wantRecords || undefined, 60_000);
      await sleep(2000);
      // Still the same worker and connection, and it still pops an ordinary call.
      peers.sim.play(call('after', '+4930799999', 300), { speed: 1 });
      await waitFor('a pop after the abuse', () => countBy(peers.crm, 'pop').get('+4930799999') || undefined, 10_000);
      const after = peers.sim.state();
      const pops = countBy(peers.crm, 'pop');
      const records = countBy(peers.crm, 'postcall');
      const wrong = calls.filter((c) => (pops.get(c.number) ?? 0) !== EXPECT[c.kind].pops || (records.get(c.number) ?? 0) !== EXPECT[c.kind].records);
      const result = {
        frames: first.length + second.length,
        calls: calls.length,
        pops: { expected: wantPops, got: mine(pops).reduce((s, [, v]) => s + v, 0) },
        records: { expected: wantRecords, got: mine(records).reduce((s, [, v]) => s + v, 0) },
        lost: calls.filter((c) => (pops.get(c.number) ?? 0) < EXPECT[c.kind].pops || (records.get(c.number) ?? 0) < EXPECT[c.kind].records).length,
        duplicated: calls.filter((c) => (pops.get(c.number) ?? 0) > EXPECT[c.kind].pops || (records.get(c.number) ?? 0) > EXPECT[c.kind].records).length,
        reconnects: after.connectCount - before.connectCount,
        workerRestarted: after.lastClients.at(-1)?.instance !== before.lastClients.at(-1)?.instance,
        wrong: wrong.map((c) => `${c.kind} ${c.number}: ${pops.get(c.number) ?? 0} pops, ${records.get(c.number) ?? 0} records`),
      };
      report('frame-abuse/chromium', result);
      expect(result.frames).toBeGreaterThanOrEqual(FRAMES);
      expect(result.wrong).toEqual([]);
      expect(result.pops).toEqual({ expected: wantPops, got: wantPops });
      expect(result.records).toEqual({ expected: wantRecords, got: wantRecords });
      expect(result.reconnects).toBe(0);
      expect(result.workerRestarted).toBe(false);
    } finally {
      await ext.close();
      await peers.close();
    }
  }, 4 * 60_000);
});
