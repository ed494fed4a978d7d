import WebSocket from 'ws';
import { createAriTranslator } from '../../utils/connectors/ari-translate';
import { ariEventsUrl } from '../../utils/connectors/ari-urls';
import { inboundCalls } from '../bridge/bridge-calls';
import { bridgeClient } from '../bridge/bridge-client';
import { startBridgeRig, waitFor } from '../bridge/bridge-rig';

/**
 * `npm run bench:bridge`: the ARI emulation as the PBX, a three-node NATS cluster, one ingest,
 * two edges, and N Node WebSocket clients (a distinct endpoint each) under a steady call rate;
 * then the same calls to N direct ARI connections (each client its own socket and translator, as
 * the extension does today). Latency: ARI frame timestamp (the emulation stamps it as it sends)
 * to the protocol frame arriving at the client.
 */
const SIZES = (process.env.BENCH_BRIDGE_SIZES ?? '100,500,1000').split(',').map(Number);
const CALLS_PER_SECOND = Number(process.env.BENCH_BRIDGE_RATE ?? 20);
const SECONDS = Number(process.env.BENCH_BRIDGE_SECONDS ?? 10);
/** The events every call has (`variables` too, but how many depends on the order of the PBX's frames). */
const LIFECYCLE = new Set(['offered', 'ringing', 'answered', 'ended']);
const EVENTS_PER_CALL = LIFECYCLE.size;

interface Row {
  mode: 'bridge' | 'direct ARI';
  clients: number;
  pbxConnections: number;
  calls: number;
  delivered: number;
  lost: number;
  duplicated: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! : NaN;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function run(n: number, direct: boolean): Promise<Row> {
  const endpoints = Array.from({ length: n }, (_, i) => `PJSIP/${1000 + i}`);
  const rig = await startBridgeRig({ endpoints, edges: 2 });
  const latencies: number[] = [];
  const seen = new Map<string, number>();
  const count = (endpoint: string, callId: string, type: string, at: number, receivedAt: number) => {
    const key = `${endpoint}|${callId}|${type}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
    latencies.push(receivedAt - at);
  };
  const closers: (() => void)[] = [];
  try {
    if (direct) {
      for (const [i, endpoint] of endpoints.entries()) {
        const t = createAriTranslator({ endpoints: [endpoint], app: `direct-${i}` });
        const ws = new WebSocket(ariEventsUrl(rig.sim.url, `direct-${i}`, 'cti:secret'));
        ws.on('message', (d) => {
          const at = Date.now();
          for (const e of t.handle(d.toString())) count(endpoint, e.callId, e.type, e.at, at);
        });
        closers.push(() => ws.terminate());
      }
      await waitFor(() => rig.emulator.state().clients.length >= n + 2, 60_000, 'direct ARI sockets');
    } else {
      const urls = rig.edges.map((e) => e!.wsUrl);
      const clients = endpoints.map((endpoint, i) => {
        const c = bridgeClient({ urls: () => [urls[i % urls.length]!], token: rig.token([endpoint]).token, endpoints: [endpoint], onEvent: (e, at) => count(endpoint, e.callId, e.type, e.at, at) });
        c.connect();
        closers.push(() => c.close());
        return c;
      });
      await waitFor(() => clients.every((c) => c.isOpen()), 60_000, 'bridge clients');
    }
    const total = CALLS_PER_SECOND * SECONDS;
    const gap = 1000 / CALLS_PER_SECOND;
    const start = Date.now();
    for (let k = 0; k < total; k++) {
      const endpoint = endpoints[k % n]!;
      rig.play(inboundCalls(`b${k}`, [{ endpoint, n: k }], { ring: 100, answer: 600, hangup: 1500 }));
      const due = start + (k + 1) * gap;
      if (due > Date.now()) await sleep(due - Date.now());
    }
    const expected = total * EVENTS_PER_CALL;
    const delivered = () => [...seen.keys()].filter((k) => LIFECYCLE.has(k.split('|').pop()!)).length;
    await waitFor(() => delivered() >= expected, 20_000, 'every event').catch(() => undefined);
    await sleep(500);
    const duplicated = [...seen.values()].reduce((a, v) => a + (v - 1), 0);
    return {
      mode: direct ? 'direct ARI' : 'bridge',
      clients: n,
      pbxConnections: direct ? n : rig.emulator.state().clients.length,
      calls: total,
      delivered: delivered(),
      lost: expected - delivered(),
      duplicated,
      p50Ms: pct(latencies, 50),
      p95Ms: pct(latencies, 95),
      maxMs: pct(latencies, 100),
    };
  } finally {
    for (const c of closers) c();
    await rig.close();
  }
}

const rows: Row[] = [];
for (const n of SIZES) {
  rows.push(await run(n, false));
  console.error(JSON.stringify(rows.at(-1)));
  if (process.env.BENCH_BRIDGE_DIRECT === '0') continue;
  rows.push(await run(n, true));
  console.error(JSON.stringify(rows.at(-1)));
}
console.log(`\nBridge fan-out: ${CALLS_PER_SECOND} calls/s for ${SECONDS} s, ${EVENTS_PER_CALL} events per call, on this machine (${(await import('node:os')).cpus().length} cores)`);
console.log('| mode | clients | PBX connections | calls | delivered | lost | duplicated | p50 ms | p95 ms | max ms |');
console.log('|---|---|---|---|---|---|---|---|---|---|');
for (const r of rows) console.log(`| ${r.mode} | ${r.clients} | ${r.pbxConnections} | ${r.calls} | ${r.delivered} | ${r.lost} | ${r.duplicated} | ${r.p50Ms} | ${r.p95Ms} | ${r.maxMs} |`);
const big = rows.filter((r) => r.mode === 'bridge').at(-1)!;
console.log(JSON.stringify({ clients: big.clients, pbxConnections: big.pbxConnections, delivered: big.delivered, lost: big.lost, duplicated: big.duplicated, p50Ms: big.p50Ms, p95Ms: big.p95Ms }));
process.exit(0);
