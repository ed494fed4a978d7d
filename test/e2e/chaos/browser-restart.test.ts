import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { launchWithExtension, waitFor, type BrowserKind, type ExtensionBrowser } from '../harness/launch';
import { startPeers } from '../harness/peers';
import { call, chaosSettings, countBy, report, SHORT, sleep, tally } from './chaos-helpers';
import { BROWSERS } from '../harness/lanes';

const CALLS = SHORT ? 5 : 20;

/** Records in the stored outbox that are still waiting to be delivered. */
const pendingInStorage = async (ext: ExtensionBrowser) => (((await ext.stored('outbox')) ?? []) as { status?: string }[]).filter((r) => r.status === 'pending').length;

/**
 * The CRM refuses post-call records (503) while calls end, so the records wait in the outbox;
 * the browser is closed and started again on the same profile with the CRM back: every record
 * is delivered, each once.
 */
describe.each(BROWSERS)('browser restarted with post-call records queued (%s)', (kind) => {
  it(`delivers all ${CALLS} queued records after the restart`, async () => {
    const peers = await startPeers();
    const profile = mkdtempSync(join(tmpdir(), `ctipop-restart-${kind}-`));
    const numbers = Array.from({ length: CALLS }, (_, k) => `+4930500${String(k).padStart(4, '0')}`);
    try {
      const first = await launchWithExtension(kind, { profile, keepStorage: true });
      try {
        await first.configure(chaosSettings(peers));
        await waitFor(`${kind} to connect`, () => peers.sim.state().ws > 0 || undefined, 30_000);
        await peers.crm.setMode({ fail: { status: 503 }, paths: ['/postcall'] });
        for (const [k, n] of numbers.entries()) peers.sim.play(call(`r${k}`, n, 300 + 50 * k), { speed: 1 });
        await waitFor('every record to be queued in storage', async () => (await pendingInStorage(first)) === CALLS || undefined, 30_000);
      } finally {
        await first.close();
      }
      await waitFor('the browser to leave the PBX', () => peers.sim.state().ws === 0 || undefined);
      const failedSends = [...countBy(peers.crm, 'postcall').values()].reduce((a, b) => a + b, 0);
      await peers.crm.setMode({ fail: null, paths: null });
      const back = Date.now();
      const second = await launchWithExtension(kind, { profile, keepStorage: true });
      try {
        await waitFor('every record to be delivered after the restart', () => numbers.every((n) => countBy(peers.crm, 'postcall', 'n', back).get(n)) || undefined, 90_000);
        await sleep(1500);
        const delivered = tally(peers.crm, numbers, 'postcall', back);
        const left = await pendingInStorage(second);
        report(`browser-restart/${kind}`, { ...delivered, failedSendsBeforeRestart: failedSends, pendingAfter: left });
        expect(delivered).toEqual({ tried: CALLS, lost: 0, duplicated: 0 });
        expect(left).toBe(0);
      } finally {
        await second.close();
      }
    } finally {
      await peers.close();
      rmSync(profile, { recursive: true, force: true });
    }
  }, 4 * 60_000);
});
