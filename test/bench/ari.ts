import { createAriFanout } from '../../utils/connectors/ari-fanout';
import { createAriTranslator } from '../../utils/connectors/ari-translate';
import { ariTimeline } from '../sim/ari/timeline';
import { scenario, type Scenario } from '../sim/scenario';
import type { BenchRow } from './measure';

export const CALLS = 1000;
const EVERY_MS = 400; // with 20 s calls: 50 calls in progress at any time
export const USER = 'PJSIP/100';

/**
 * A busy PBX: 1000 calls of 20 s, one starting every 400 ms (50 concurrent), mixed inbound to a
 * phone, queue ring-all and outbound; 1 call in 50 rings the user's phone. Frames as raw text, as
 * the WebSocket hands them to the background.
 */
export function busyPbx(): Scenario {
  const calls = Array.from({ length: CALLS }, (_, i) => {
    const t = i * EVERY_MS;
    const phone = i % 50 === 0 ? USER : `PJSIP/${101 + (i % 48)}`;
    const other = `PJSIP/${150 + (i % 40)}`;
    if (i % 7 === 3 && phone !== USER) {
      return {
        id: `o${i}`, from: { endpoint: other, name: 'Agent' }, to: { number: `0207946${String(i).padStart(4, '0')}` },
        steps: [{ at: t, do: 'offer' }, { at: t + 200, do: 'ring', endpoints: [] }, { at: t + 5000, do: 'answer', endpoint: '' }, { at: t + 20_000, do: 'hangup' }],
      };
    }
    const from = { number: `+1555${String(1_000_000 + i)}`, name: `Caller ${i}` };
    const queue = i % 5 === 1;
    return {
      id: `i${i}`, from, to: { number: '+15559876000' },
      steps: [
        { at: t, do: 'offer' },
        ...(queue ? [{ at: t + 50, do: 'application', type: 'queue', name: 'support' }] : []),
        { at: t + 100, do: 'ring', endpoints: queue ? [phone, other] : [phone] },
        { at: t + 5000, do: 'answer', endpoint: queue ? other : phone },
        { at: t + 20_000, do: 'hangup' },
      ],
    };
  });
  return scenario.parse({ name: 'busy-pbx', description: 'bench', calls });
}

export function throughput(name: string, frames: string[], pass: () => void, passes: number, baseline?: string, note?: string): BenchRow {
  for (let i = 0; i < 3; i++) pass();
  const rates: number[] = [];
  for (let i = 0; i < passes; i++) {
    const t = process.hrtime.bigint();
    pass();
    rates.push(frames.length / (Number(process.hrtime.bigint() - t) / 1e9));
  }
  rates.sort((a, b) => a - b);
  const at = (q: number) => Math.round(rates[Math.min(rates.length - 1, Math.floor(q * rates.length))] ?? NaN);
  // Higher is better here, so the "p95" column holds the slow tail (5th percentile).
  return { name, median: at(0.5), p95: at(0.05), max: at(1), unit: 'frames/s', baseline, note };
}

/** Budget: the background keeps up with ≥ 20,000 frames/s of a whole PBX (subscribeAll). */
export async function run(): Promise<BenchRow[]> {
  const frames = ariTimeline(busyPbx(), { startMs: Date.UTC(2026, 10, 28) }).map((x) => JSON.stringify(x.frame));
  const check = createAriTranslator({ endpoints: [USER] });
  const events = frames.flatMap((f) => check.handle(f));
  const offered = events.filter((e) => e.type === 'offered').length;
  if (offered !== CALLS / 50) throw new Error(`bench PBX should offer ${CALLS / 50} calls to ${USER}, the translator offered ${offered}`);
  const varsets = frames.filter((f) => f.includes('"type":"ChannelVarset"')).length;
  const mix = `${frames.length} frames, ${Math.round((100 * varsets) / frames.length)} % ChannelVarset, ${offered} calls for the user`;
  let sink = 0;
  return [
    throughput('ari: JSON.parse only', frames, () => {
      for (const f of frames) sink += (JSON.parse(f) as { type: string }).type.length;
    }, 10, undefined, mix),
    throughput('ari: translator (whole PBX, 1 call in 50 is the user’s)', frames, () => {
      const t = createAriTranslator({ endpoints: [USER] });
      for (const f of frames) sink += t.handle(f).length;
    }, 10, 'ari: JSON.parse only', 'budget ≥ 20,000 frames/s'),
    throughput('ari: fan-out, 1,000 users (every phone of the PBX is one)', frames, () => {
      const t = createAriFanout({ endpoints: Array.from({ length: 1000 }, (_, i) => `PJSIP/${100 + i}`) });
      for (const f of frames) sink += t.handle(f).length;
    }, 5, 'ari: translator (whole PBX, 1 call in 50 is the user’s)', 'the bridge: one connection, every user at once'),
    throughput('ari: translator, frames already parsed', frames, (() => {
      const parsed = frames.map((f) => JSON.parse(f) as unknown);
      return () => {
        const t = createAriTranslator({ endpoints: [USER] });
        for (const f of parsed) sink += t.handle(f).length;
      };
    })(), 10, 'ari: JSON.parse only'),
  ];
}
