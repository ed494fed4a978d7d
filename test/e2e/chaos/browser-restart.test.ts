import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { waitFor, type BrowserKind } from '../harness/launch';
import { startPeers } from '../harness/peers';
import { call, chaosSettings, countBy, report, SHORT, sleep, tally } from './chaos-helpers';
import { startOnProfile } from './relaunch';

const CALLS = SHORT ? 5 : 20;

/**
 * The CRM refuses post-call records (503) while calls end, so the records wait in the outbox;
 * the browser is closed and started again on the same profile with the CRM back: every record
 * is delivered, each once.
 */
describe.each<BrowserKind>(['chromium', 'firefox'])('browser restarted with post-call records queued (%s)', (kind) => {
  it(`delivers all ${CALLS} queued records after the restart`, async () => {
    const peers = await startPeers();
    const profile = mkdtempSync(join(tmpdir(), `ctipop-restart-${kind}-`));
    const numbers = Array.from({ length: CALLS }, (_, k) => `+4930500${String(k).padStart(4, '0')}`);
    try {
      const first = await startOnProfile(kind, profile);
      try {
        await first.configure(chaosSettings(peers));
        await waitFor(`${kind} to connect`, () => peers.sim.state().ws > 0 || undefined, 30_000);
        await peers.crm.setMode({ fail: { status: 503 }, paths: ['/postcall'] });
        for (const [k, n] of numbers.entries()) peers.sim.play(call(`r${k}`, n, 300 + 50 * k), { speed: 1 });
        await waitFor('every record to be queued in storage', async () => (await first.storedOutbox()).filter((s) => s === 'pending').length === CALLS || undefined, 30_000);
      } finally {
        await first.close();
      }
      await waitFor('the browser to leave the PBX', () => peers.sim.state().ws === 0 || undefined);
      const failedSends = [...countBy(peers.crm, 'postcall').values()].reduce((a, b) => a + b, 0);
      await peers.crm.setMode({ fail: null, paths: null });
      const back = Date.now();
      const second = await startOnProfile(kind, profile);
      try {
        await waitFor('every record to be delivered after the restart', () => numbers.every((n) => countBy(peers.crm, 'postcall', 'n', back).get(n)) || undefined, 90_000);
        await sleep(1500);
        const delivered = tally(peers.crm, numbers, 'postcall', back);
        const left = (await second.storedOutbox()).filter((s) => s === 'pending').length;
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
