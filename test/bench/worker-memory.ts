import type { CDPSession } from 'puppeteer-core';
import { sleep, startBenchPeers, type BenchPeers } from '../e2e/harness/bench-peers';
import { launchWithExtension, waitFor } from '../e2e/harness/launch';
import type { BenchRow } from './measure';

/**
 * A call costs the worker ~45 ms of storage and CRM round trips (about 20 calls/s here), so the
 * default run stops at 2,000 calls to keep `npm run bench` under 10 minutes;
 * `CTIPOP_BENCH_MEMORY_CALLS=10000 npm run bench -- worker-memory` runs the full figure (8+ minutes).
 */
const CALLS = Number(process.env.CTIPOP_BENCH_MEMORY_CALLS ?? 2000);
const BATCH = 50;
/** Calls injected ahead of the post-call records the CRM has received. */
const WINDOW = 60;

let frameId = 1_000_000_000;

/** A complete inbound call in JSON-stream frames: offered, ringing, ended (missed; 3 frames). */
function callFrames(i: number): string[] {
  const callId = `mem-${i}`;
  const at = Date.now();
  const base = { type: 'call', callId, users: ['PJSIP/100'] };
  const number = `+4930${String(7_000_000 + i)}`;
  return [
    { ...base, event: 'offered', direction: 'inbound', variables: { calleridnumber: number, calleridname: `Memory Caller ${i}`, did: '+4930123400', exten: '100', uniqueid: `${at / 1000}.${i}` } },
    { ...base, event: 'ringing' },
    { ...base, event: 'ended', cause: 16 },
  ].map((f, k) => JSON.stringify({ ...f, id: String(frameId++), at: at + k }));
}

async function heapMB(session: CDPSession): Promise<number> {
  for (let i = 0; i < 3; i++) await session.send('HeapProfiler.collectGarbage');
  const usage = await session.send('Runtime.getHeapUsage');
  return usage.usedSize / 1_048_576;
}

const delivered = (p: BenchPeers) => Object.keys(p.crm.log().postcallCounts).length;

/**
 * The background's JavaScript heap in Chromium (CDP on the service worker, after forced GC) with
 * no calls, after CALLS/2 and after CALLS complete calls (pop as a badge, post-call record
 * delivered to the CRM). Calls are injected in batches, at most WINDOW ahead of the CRM.
 */
export async function run(): Promise<BenchRow[]> {
  const p = await startBenchPeers();
  const ext = await launchWithExtension('chromium');
  try {
    await ext.configure({
      connection: { kind: 'json-ws', url: p.sim.wsUrl, secret: p.sim.token, endpoints: ['PJSIP/100'] },
      cti: { popupUrl: `${p.crm.url}/pop?n=%%calleridnumber%%`, postCallUrl: `${p.crm.url}/postcall?n=%%calleridnumber%%&billsec=%%billsec%%&disposition=%%disposition%%` },
      behaviour: { target: 'sidepanel', fallback: 'badge' },
    });
    await waitFor('Chromium to connect', () => p.sim.state().ws > 0 || undefined, 30_000);
    const target = await ext.browser.waitForTarget((t) => t.type() === 'service_worker' && t.url().startsWith(ext.origin));
    const session = await target.createCDPSession();
    const samples: { calls: number; mb: number; s: number }[] = [];
    const started = Date.now();
    samples.push({ calls: 0, mb: await heapMB(session), s: 0 });
    for (let sent = 0; sent < CALLS; ) {
      const frames: string[] = [];
      for (let k = 0; k < BATCH; k++) frames.push(...callFrames(sent++));
      // A batch sent while the stream is down would be lost; wait for the worker to be connected.
      while (p.sim.inject(frames, 'ws') === 0) await waitFor('the worker to reconnect', () => p.sim.state().ws > 0 || undefined, 60_000);
      await waitFor(`post-call records to keep up (${sent} calls sent)`, () => delivered(p) >= sent - WINDOW || undefined, 120_000);
      if (sent === CALLS / 2 || sent === CALLS) {
        await waitFor(`all ${sent} post-call records`, () => delivered(p) >= sent || undefined, 120_000);
        await sleep(500);
        samples.push({ calls: sent, mb: await heapMB(session), s: (Date.now() - started) / 1000 });
      }
    }
    const counts = p.crm.log().postcallCounts;
    const duplicates = Object.values(counts).filter((n) => n > 1).length;
    // Records for calls this bench never placed: another test's simulator reaching this browser (machine-wide policy).
    const reconnects = p.sim.state().connectCount - 1;
    const strangers = p.crm.log().requests.filter((r) => r.kind === 'postcall' && !/^\+49307\d{6}$/.test(r.params.n ?? '')).length;
    const [empty, half, full] = samples;
    if (!empty || !half || !full) throw new Error('memory bench: missing samples');
    const mb = (x: number) => Math.round(x * 100) / 100;
    const row = (name: string, value: number, note: string): BenchRow => ({ name, median: mb(value), p95: mb(value), max: mb(value), unit: 'MB', note });
    return [
      row('memory: Chromium worker heap, no calls', empty.mb, 'after forced GC (CDP HeapProfiler.collectGarbage, Runtime.getHeapUsage)'),
      row(`memory: after ${CALLS / 2} calls`, half.mb, `${Math.round(half.calls / half.s)} calls/s end to end`),
      row(`memory: after ${CALLS} calls`, full.mb, `target ≤ 15 MB and flat; growth since ${CALLS / 2}: ${mb(full.mb - half.mb)} MB; ${Object.keys(counts).length} post-call records, ${duplicates} keys sent twice${strangers ? `, ${strangers} for calls not placed by the bench` : ''}; ${reconnects} reconnects`),
    ];
  } finally {
    await ext.close();
    await p.close();
  }
}
