import { emptyBook } from '../../utils/calls/call-book';
import { createAriTranslator } from '../../utils/connectors/ari-translate';
import { createEngine } from '../../utils/engine/cti-engine';
import { DEFAULT_SETTINGS, type Settings } from '../../utils/settings/schema';
import { ariTimeline } from '../sim/ari/timeline';
import { busyPbx, CALLS, USER } from './ari';
import type { BenchRow } from './measure';
import { loadAllPhoneMetadata } from '../../utils/templates/all-phone-metadata';

loadAllPhoneMetadata();

const SETTINGS: Settings = {
  ...DEFAULT_SETTINGS,
  connection: { ...DEFAULT_SETTINGS.connection, kind: 'ari', endpoints: [USER] },
  cti: { ...DEFAULT_SETTINGS.cti, popupUrl: 'http://127.0.0.1/pop?n=%%calleridnumber%%', postCallUrl: 'http://127.0.0.1/cdr?n=%%calleridnumber%%&s=%%billsec%%' },
};

/**
 * The whole background path in Node: raw ARI frames of a busy PBX (subscribeAll, 1 call in 50 is
 * the user's) through the translator, the call book and the engine's control points (pop-up URL
 * expanded, post-call record built and queued). Storage and the browser are stand-ins that cost
 * nothing, so this is the code's own ceiling; the worker figure adds storage and the browser.
 */
export async function run(): Promise<BenchRow[]> {
  const frames = ariTimeline(busyPbx(), { startMs: Date.UTC(2026, 10, 28) }).map((x) => JSON.stringify(x.frame));
  let pops = 0;
  let records = 0;
  const pass = async () => {
    const translator = createAriTranslator({ endpoints: [USER] });
    const engine = createEngine({
      settings: () => SETTINGS,
      now: Date.now,
      lookup: () => Promise.reject(new Error('no lookups configured')),
      pop: async () => void pops++,
      queuePostCall: async () => void records++,
      saveBook: async () => undefined,
      onEnded: () => undefined,
      onChange: () => undefined,
    }, emptyBook());
    for (const f of frames) for (const e of translator.handle(f)) void engine.handle(e);
    await engine.idle();
  };
  await pass();
  if (pops !== CALLS / 50 || records !== CALLS / 50) throw new Error(`engine bench: expected ${CALLS / 50} pops and records, got ${pops} and ${records}`);
  for (let i = 0; i < 2; i++) await pass();
  const rates: number[] = [];
  for (let i = 0; i < 10; i++) {
    const t = process.hrtime.bigint();
    await pass();
    rates.push(frames.length / (Number(process.hrtime.bigint() - t) / 1e9));
  }
  rates.sort((a, b) => a - b);
  const at = (q: number) => Math.round(rates[Math.min(rates.length - 1, Math.floor(q * rates.length))] ?? NaN);
  return [{
    name: 'ari: translator + call book + engine (Node)', median: at(0.5), p95: at(0.05), max: at(1), unit: 'frames/s',
    baseline: 'ari: JSON.parse only', note: `${frames.length} frames, ${CALLS / 50} pops and post-call records per pass; storage stand-in is free`,
  }];
}
