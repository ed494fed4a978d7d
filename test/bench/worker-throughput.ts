import { createAriTranslator } from '../../utils/connectors/ari-translate';
import { startAriFlood } from '../e2e/harness/bench-ari-flood';
import { hrNow, percentiles, sleep, startBenchPeers } from '../e2e/harness/bench-peers';
import { launchWithExtension, waitFor, type BrowserKind, type ExtensionBrowser } from '../e2e/harness/launch';
import { ariTimeline } from '../sim/ari/timeline';
import { busyPbx, USER } from './ari';
import type { BenchRow } from './measure';

/** User calls per chunk: the chunk ends right after the ringing frame of its last one. */
const RINGS_PER_CHUNK = 4;

interface Chunk {
  frames: string[];
  /** Caller number of the user call that rings with the chunk's last frame. */
  marker: string;
}

/**
 * The busy-PBX frames of the Node ARI bench (1000 calls, 50 at a time, 1 in 50 rings the user),
 * cut into chunks that each end with a user call ringing: the pop of that call tells when the
 * background has worked through the whole chunk.
 */
function chunks(): Chunk[] {
  const frames = ariTimeline(busyPbx(), { startMs: Date.now() }).map((x) => JSON.stringify(x.frame));
  const translator = createAriTranslator({ endpoints: [USER] });
  const numbers = new Map<string, string>();
  const out: Chunk[] = [];
  let start = 0;
  let rings = 0;
  frames.forEach((f, i) => {
    for (const e of translator.handle(f)) {
      if (e.type === 'offered' && e.variables.calleridnumber) numbers.set(e.callId, e.variables.calleridnumber);
      if (e.type !== 'ringing' || ++rings % RINGS_PER_CHUNK !== 0) continue;
      const marker = numbers.get(e.callId);
      if (!marker) throw new Error(`bench: no caller number for ${e.callId}`);
      out.push({ frames: frames.slice(start, i + 1), marker });
      start = i + 1;
    }
  });
  return out;
}

/**
 * ARI frames/s through the background worker: connector translation, call book, engine, storage
 * and pops, as the browser runs them. A local ARI face floods each chunk at once; the rate is the
 * chunk's frames over the time from the first frame sent to the CRM seeing the chunk's last pop.
 * The first chunk warms up and is not counted.
 */
export async function run(kinds: BrowserKind[] = ['chromium', 'firefox']): Promise<BenchRow[]> {
  const all = chunks();
  const rows: BenchRow[] = [];
  for (const kind of kinds) {
    const peers = await startBenchPeers();
    const flood = await startAriFlood();
    const ext = await launchWithExtension(kind);
    try {
      await ext.configure({
        connection: { kind: 'ari', url: flood.url, secret: 'bench:bench', endpoints: [USER] },
        cti: { popupUrl: `${peers.crm.url}/pop?n=%%calleridnumber%%` },
        behaviour: { target: 'tab', reuseTab: true },
      });
      await waitFor(`${kind} to connect to the ARI flood`, () => flood.clients() > 0 || undefined, 30_000);
      await sleep(500);
      const rates: number[] = [];
      for (const [i, chunk] of all.entries()) {
        const t0 = hrNow();
        flood.flood(chunk.frames);
        const pop = await peers.request('pop', 'n', chunk.marker, 60_000);
        if (i > 0) rates.push(chunk.frames.length / ((pop.at - t0) / 1000));
        await sleep(300);
      }
      const floor = await deliveryFloor(ext, all);
      const s = percentiles(rates);
      const sizes = all.map((c) => c.frames.length);
      rows.push({
        name: `ari: ${kind} background worker, translator → engine → pop`, median: Math.round(s.median), p95: Math.round(s.min), max: Math.round(s.max), unit: 'frames/s',
        baseline: 'ari: JSON.parse only',
        note: `target ≥ 20,000 frames/s; CPU-profiled, the worker is mostly idle during a flood; ${rates.length} chunks of ${Math.min(...sizes)}–${Math.max(...sizes)} frames flooded at once, each ending with a user call whose pop marks the end (the pop's own latency is included)`,
      });
      rows.push({ ...floor, name: `ari: ${kind} WebSocket delivery only (extension page counts frames)`, baseline: 'ari: JSON.parse only', note: 'the browser’s own ceiling for many small messages on one socket, same chunks' });
    } finally {
      await ext.close();
      await flood.close();
      await peers.close();
    }
  }
  return rows;
}

/** The same chunks flooded to a WebSocket in an extension page that only counts them. */
async function deliveryFloor(ext: ExtensionBrowser, all: Chunk[]): Promise<Pick<BenchRow, 'median' | 'p95' | 'max' | 'unit'>> {
  const flood = await startAriFlood();
  const page = await ext.extensionPage();
  try {
    await page.evaluate((url: string) => {
      const g = globalThis as unknown as { benchCount: number; benchSocket: WebSocket };
      g.benchCount = 0;
      g.benchSocket = new WebSocket(url);
      g.benchSocket.onmessage = () => void g.benchCount++;
    }, `${flood.url.replace('http', 'ws')}/ari/events`);
    await waitFor('the counting page to connect', () => flood.clients() > 0 || undefined);
    const rates: number[] = [];
    let expected = 0;
    for (const [i, chunk] of all.entries()) {
      expected += chunk.frames.length;
      const t0 = hrNow();
      flood.flood(chunk.frames);
      // Polled from Node, one evaluate after another: puppeteer's waitForFunction builds its
      // predicate with Function(), which an extension page's CSP refuses (Firefox ESR 140, BiDi).
      const until = Date.now() + 60_000;
      while ((await page.evaluate(() => (globalThis as unknown as { benchCount: number }).benchCount)) < expected) {
        if (Date.now() > until) throw new Error(`the counting page got fewer than ${expected} frames in 60 s`);
      }
      if (i > 0) rates.push(chunk.frames.length / ((hrNow() - t0) / 1000));
      await sleep(300);
    }
    await page.evaluate(() => (globalThis as unknown as { benchSocket: WebSocket }).benchSocket.close());
    const s = percentiles(rates);
    return { median: Math.round(s.median), p95: Math.round(s.min), max: Math.round(s.max), unit: 'frames/s' };
  } finally {
    await flood.close();
  }
}
