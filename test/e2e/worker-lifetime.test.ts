import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { launchWithExtension, waitFor, type BrowserKind } from './harness/launch';
import { mergeOutJson } from './harness/out-files';
import { peerSettings, startPeers, type Peers } from './harness/peers';
import { spawnChromium } from './harness/spawn-chromium';
import { inLane } from './harness/lanes';

/**
 * Does the background keep its PBX connection through minutes of ordinary traffic, and does it
 * come back by itself after the browser stopped it? Chromium runs with no DevTools attached at all
 * (an attached debugger keeps workers alive); Firefox needs WebDriver BiDi to install the add-on.
 */
const TRAFFIC_S = Number(process.env.CTIPOP_LIFETIME_S ?? 180);
/** Firefox: longer than its 30-s idle timeout, so the event page is suspended and must come back by itself. */
const OUTAGE_S = 45;
const results: Record<string, unknown> = {};

afterAll(() => {
  mergeOutJson('worker-lifetime.json', results);
  console.log('worker lifetime:', JSON.stringify(results, null, 2));
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pops = (p: Peers) => p.crm.log().requests.filter((r) => r.kind === 'pop').length;

/** Traffic phase, then the worker stopped (Chromium, as the browser does to an idle worker) or the PBX gone (Firefox). */
async function measure(kind: BrowserKind, peers: Peers, stopWorker?: () => Promise<void>) {
  const state = () => peers.sim.state();
  await waitFor(`${kind} to connect`, () => state().ws > 0 || undefined, 30_000);
  const first = state().lastClients.at(-1);
  const connectsBefore = state().connectCount;
  let placed = 0;
  const started = Date.now();
  while (Date.now() - started < TRAFFIC_S * 1000) {
    const popsBefore = pops(peers);
    expect(peers.sim.play('inbound-missed', { speed: 10 }).ok).toBe(true);
    placed++;
    await waitFor(`pop ${placed} in ${kind}`, () => pops(peers) > popsBefore || undefined, 10_000);
    await sleep(25_000);
  }
  const reconnects = state().connectCount - connectsBefore;
  const traffic = { seconds: TRAFFIC_S, callsPlaced: placed, pops: pops(peers), reconnects, sameWorker: state().lastClients.at(-1)?.instance === first?.instance };

  let back: number;
  if (stopWorker) {
    back = Date.now();
    await stopWorker();
  } else {
    // The PBX goes away and comes back; the background must find it again by itself.
    peers.sim.stop();
    peers.sim.kill();
    await sleep(OUTAGE_S * 1000);
    back = Date.now();
    peers.sim.start();
  }
  await waitFor(`${kind} to reconnect`, () => (state().lastConnectTimes.at(-1) ?? 0) >= back || undefined, 70_000);
  const reconnectedMs = (state().lastConnectTimes.at(-1) ?? back) - back;
  const after = state().lastClients.at(-1);
  const popsBefore = pops(peers);
  peers.sim.play('inbound-missed', { speed: 10 });
  await waitFor(`a pop after reconnecting in ${kind}`, () => pops(peers) > popsBefore || undefined, 10_000);
  return { traffic, recovery: { cause: stopWorker ? 'worker stopped' : `PBX gone for ${OUTAGE_S} s`, reconnectedAfterMs: reconnectedMs, newWorker: after?.instance !== first?.instance } };
}

describe('background worker lifetime', () => {
  it.runIf(inLane('chromium'))('Chromium (no DevTools attached): keeps the stream through traffic, and a stopped worker comes back and reconnects', async () => {
    const peers = await startPeers({ heartbeatMs: 15_000 });
    const profile = mkdtempSync(join(tmpdir(), 'ctipop-lifetime-'));
    // Configure once with a driver, then start again from the same profile with no driver at all.
    const setup = await launchWithExtension('chromium', { profile });
    await setup.configure(peerSettings(peers));
    await waitFor('first connection', () => peers.sim.state().ws > 0 || undefined);
    await setup.close();
    await waitFor('the driver-run browser to disconnect', () => peers.sim.state().ws === 0 || undefined);
    const chromium = spawnChromium(profile);
    try {
      const r = await measure('chromium', peers, () => chromium.stopWorkers());
      results.chromium = r;
      expect(r.traffic.reconnects).toBe(0);
      expect(r.recovery.newWorker).toBe(true);
      expect(r.traffic.pops).toBe(r.traffic.callsPlaced);
    } finally {
      await chromium.close();
      await peers.close();
      rmSync(profile, { recursive: true, force: true });
    }
  }, (TRAFFIC_S + OUTAGE_S + 180) * 1000);

  it.runIf(inLane('firefox'))('Firefox: keeps the stream through traffic, and comes back after an outage', async () => {
    const peers = await startPeers({ heartbeatMs: 15_000 });
    const ext = await launchWithExtension('firefox');
    try {
      await ext.configure(peerSettings(peers));
      const r = await measure('firefox', peers);
      results.firefox = r;
      expect(r.traffic.reconnects).toBe(0);
      expect(r.traffic.pops).toBe(r.traffic.callsPlaced);
    } finally {
      await ext.close();
      await peers.close();
    }
  }, (TRAFFIC_S + OUTAGE_S + 180) * 1000);
});
