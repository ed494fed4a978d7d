import { describe, expect, it } from 'vitest';
import { launchWithExtension, waitFor, type ExtensionBrowser } from '../harness/launch';
import { startPeers, type Peers } from '../harness/peers';
import { call, chaosSettings, countBy, postcalls, report, SHORT, sleep } from './chaos-helpers';
import { inLane } from '../harness/lanes';

const ROUNDS = SHORT ? 2 : 5;

/** What Chrome does to an idle worker, on demand (CDP from a page session, as spawn-chromium does). */
async function stopWorkers(ext: ExtensionBrowser) {
  const page = await ext.extensionPage();
  const session = await page.createCDPSession();
  await session.send('ServiceWorker.enable');
  await session.send('ServiceWorker.stopAllWorkers');
  await session.detach();
}

/**
 * Wakes the stopped worker. Full runs wait for the extension's own 30-s watchdog alarm, as in
 * real life; short runs send it a message from the options page (what opening the popup does).
 */
async function wake(ext: ExtensionBrowser) {
  if (!SHORT) return;
  const page = await ext.extensionPage();
  await page.evaluate(async () => {
    type Api = { runtime: { sendMessage(m: object): Promise<unknown> } };
    const g = globalThis as unknown as { browser?: Api; chrome: Api };
    await (g.browser ?? g.chrome).runtime.sendMessage({ name: 'getView', req: {} }).catch(() => undefined);
  });
}

const instance = (p: Peers) => p.sim.state().lastClients.at(-1)?.instance;

async function restartWorker(ext: ExtensionBrowser, p: Peers) {
  const before = instance(p);
  await stopWorkers(ext);
  await waitFor('the stopped worker to drop its stream', () => p.sim.state().ws === 0 || undefined, 10_000);
  return async () => {
    await wake(ext);
    await waitFor('a new worker to reconnect', () => (p.sim.state().ws > 0 && instance(p) !== before) || undefined, 60_000);
  };
}

/**
 * Chromium stops the background worker (CDP ServiceWorker.stopAllWorkers) in the middle of a
 * call and in the middle of sending a post-call record. The new worker restores the call book
 * and outbox from storage: no call pops twice, no record is lost. A record whose send was cut
 * off is sent again with the same Idempotency-Key (at-least-once, by design); such repeats are
 * counted and reported, and every key must reach the CRM.
 */
describe.runIf(inLane('chromium'))('background worker stopped by Chromium', () => {
  it(`mid-call (${ROUNDS}×) and mid-post-call-send (${ROUNDS}×): 0 lost, 0 duplicate records`, async () => {
    const peers = await startPeers();
    const ext = await launchWithExtension('chromium');
    try {
      await ext.configure(chaosSettings(peers));
      await waitFor('Chromium to connect', () => peers.sim.state().ws > 0 || undefined, 30_000);
      const midCall: string[] = [];
      const midSend: string[] = [];
      for (let k = 0; k < ROUNDS; k++) {
        // Mid-call: the worker dies while the call rings; the call ends while no worker runs.
        const a = `+4930300${String(k).padStart(4, '0')}`;
        peers.sim.play(call(`w${k}`, a, 3000), { speed: 1 });
        midCall.push(a);
        await waitFor(`the pop of ${a}`, () => countBy(peers.crm, 'pop').get(a) || undefined);
        const back = await restartWorker(ext, peers);
        await waitFor(`${a} to end while the worker is stopped`, () => peers.sim.state().activeCalls.length === 0 || undefined, 10_000);
        await back();
        await waitFor(`the post-call record of ${a}`, () => countBy(peers.crm, 'postcall').get(a) || undefined, 30_000);

        // Mid-send: the CRM holds the post-call request; the worker dies before the answer.
        await peers.crm.setMode({ slow: 5000, paths: ['/postcall'] });
        const b = `+4930400${String(k).padStart(4, '0')}`;
        peers.sim.play(call(`s${k}`, b, 400), { speed: 1 });
        midSend.push(b);
        await waitFor(`the post-call request of ${b} to arrive`, () => countBy(peers.crm, 'postcall').get(b) || undefined, 15_000);
        const resume = await restartWorker(ext, peers);
        await peers.crm.setMode({ slow: 0, paths: null });
        await resume();
        await waitFor(`the post-call record of ${b} to be sent again`, () => (countBy(peers.crm, 'postcall').get(b) ?? 0) >= 2 || undefined, 30_000);
      }
      await sleep(1000);
      const pops = countBy(peers.crm, 'pop');
      const sends = countBy(peers.crm, 'postcall');
      const { byKey, numberOf } = postcalls(peers.crm);
      const keysFor = (n: string) => [...numberOf.entries()].filter(([, v]) => v === n).map(([k]) => k);
      const all = [...midCall, ...midSend];
      const result = {
        tried: all.length,
        lost: all.filter((n) => !sends.get(n)).length,
        duplicatedRecords: all.filter((n) => keysFor(n).length > 1).length,
        duplicatePops: all.filter((n) => (pops.get(n) ?? 0) > 1).length,
        missedPops: all.filter((n) => !pops.get(n)).length,
        sendsRepeatedWithSameKey: Object.values(byKey).reduce((sum, c) => sum + c - 1, 0),
        midCall: { tried: midCall.length, sendsPerKey: midCall.map((n) => sends.get(n) ?? 0) },
        midSend: { tried: midSend.length, sendsPerKey: midSend.map((n) => sends.get(n) ?? 0) },
        wokenBy: SHORT ? 'message from an extension page' : 'watchdog alarm',
      };
      report('worker-stop/chromium', result);
      expect(result.lost).toBe(0);
      expect(result.duplicatedRecords).toBe(0);
      expect(result.duplicatePops).toBe(0);
      expect(result.missedPops).toBe(0);
      // A call that ended while no worker ran is sent once; a send cut off mid-way exactly twice.
      expect(result.midCall.sendsPerKey.every((c) => c === 1)).toBe(true);
      expect(result.midSend.sendsPerKey.every((c) => c === 2)).toBe(true);
    } finally {
      await ext.close();
      await peers.close();
    }
  }, (SHORT ? 3 : 12) * 60_000);
});
