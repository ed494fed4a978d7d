import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createAriEmulator, type AriControlRecord, type AriEmulator } from '../sim/ari/emulator';
import { startDemoCrm } from '../sim/demo-crm';
import type { Scenario } from '../sim/scenario';
import { startSimulator } from '../sim/server';
import { SIM_USERS } from '../sim/sim-users';
import { launchWithExtension, waitFor, type BrowserKind, type ExtensionBrowser } from './harness/launch';
import { CHROME_ID, FIREFOX_UUID } from './harness/paths';
import { peerSettings, type Peers } from './harness/peers';
import { BROWSERS } from './harness/lanes';

/** What utils/connectors/ari-connector.ts names the Stasis app for PJSIP/100 in control mode, and what the admin's dialplan says. */
const APP = 'ctipop-100';
/** The emulator's own fall-through; long, so that a continue before it is provably ours. */
const EMULATOR_DEADLINE_MS = 15_000;
/**
 * The lookup deadline where a test applies the CRM's reply: the reply must not race it on a loaded
 * machine (at load 10, Firefox's lookup once took over 1.5 s and the call rightly went on unchanged).
 * It stays below the emulator's fall-through (the hold adds a second's grace).
 */
const LOOKUP_TIMEOUT_MS = 10_000;
/** The deadline the hanging-CRM case waits out. */
const SHORT_TIMEOUT_MS = 1500;

type ControlPeers = Peers & { ari: AriEmulator };

async function startControlPeers(): Promise<ControlPeers> {
  const ari = createAriEmulator({
    users: SIM_USERS.map((u) => ({ ...u })),
    stasis: { app: APP, calls: 'all', deadlineMs: EMULATOR_DEADLINE_MS },
    allowedOrigins: [`chrome-extension://${CHROME_ID}`, `moz-extension://${FIREFOX_UUID}`],
  });
  const crm = await startDemoCrm();
  const sim = await startSimulator({ heartbeatMs: 15_000, plugin: ari });
  return { sim, crm, ari, close: async () => void (await Promise.all([sim.close(), crm.close()])) };
}

/** An inbound call from `number` to the DID, ringing PJSIP/100 after the dialplan's Stasis step. */
function inbound(name: string, number: string): Scenario {
  return {
    name,
    description: `inbound call from ${number}`,
    calls: [{ id: 'c1', from: { number, name: '' }, to: { number: '+15559876000', name: '' }, accountcode: '', steps: [
      { at: 0, do: 'offer' },
      { at: 100, do: 'ring', endpoints: ['PJSIP/100'] },
      { at: 1100, do: 'answer', endpoint: 'PJSIP/100' },
      { at: 2100, do: 'hangup', by: 'caller', cause: 16 },
    ] }],
  };
}

/** The calls the extension's view shows now (storage.session, as the side panel reads it). */
async function viewCalls(ext: ExtensionBrowser) {
  const page = await ext.extensionPage();
  return page.evaluate(async () => {
    type Api = { storage: { session: { get(k: string): Promise<Record<string, unknown>> } } };
    const g = globalThis as unknown as { browser?: Api; chrome: Api };
    const view = (await (g.browser ?? g.chrome).storage.session.get('view')).view as { calls: { call: { offeredAt: number; variables: Record<string, string> }; lookups: { detail?: string; point: string }[] }[] } | undefined;
    return view?.calls ?? [];
  });
}

/**
 * Control mode against the emulator's Stasis, in both browsers: the dialplan hands the call to our
 * app, the pre-call lookup runs, and the reply is applied to the real channel (caller-ID name,
 * account code, the route as a continue to its dialplan target). A read-only ARI user is refused
 * and the call goes on anyway; with no lookup the call continues at once.
 */
describe.each(BROWSERS)('ARI control mode in %s', (kind) => {
  let peers: ControlPeers;
  let ext: ExtensionBrowser;
  let played: number;

  const settings = (secret: string, cti: object) => peerSettings(peers, {
    connection: { kind: 'ari', url: peers.sim.url, secret, trunks: ['PJSIP/pstn'], control: true },
    cti: { popupUrl: `${peers.crm.url}/pop?n=%%calleridnumber%%&name=%%calleridname%%`, ...cti },
  });
  const lookup = () => ({ inboundUrl: `${peers.crm.url}/cti/lookup?calleridnumber=%%calleridnumber%%&direction=%%direction%%` });
  /** Control requests since `from`, for one channel: the variables, then the continue. */
  const requestsSince = (from: number): AriControlRecord[] => peers.ari.controlLog().filter((r) => r.at >= from);
  const continued = (from: number) => () => requestsSince(from).find((r) => r.path.endsWith('/continue'));
  const stasisApp = () => peers.ari.state().clients.find((c) => c.apps.includes(APP));

  /**
   * Stores settings; a changed connection reconnects (as ARI user `reconnectsAs`), other changes are
   * taken at once by the worker. Waiting for the new user's socket, not for any new socket: a
   * connection of the old settings still under way (a worker just woken) must not count.
   */
  async function configure(s: object, reconnectsAs?: string, lookupTimeoutMs = LOOKUP_TIMEOUT_MS) {
    const connects = peers.ari.state().connects;
    await ext.configure({ ...s, advanced: { lookupTimeoutMs } });
    if (reconnectsAs) await waitFor(`the extension to (re)connect as the Stasis app, as ${reconnectsAs}`, () => (peers.ari.state().connects > connects && stasisApp()?.user === reconnectsAs) || undefined, 20_000);
    else await new Promise((r) => setTimeout(r, 500));
  }

  function play(s: Scenario) {
    played = Date.now();
    expect(peers.sim.play(s, { speed: 1 }).ok).toBe(true);
    return played;
  }

  beforeAll(async () => {
    peers = await startControlPeers();
    ext = await launchWithExtension(kind);
    await configure(settings('cti:secret', lookup()), 'cti');
  });
  afterAll(async () => {
    await ext?.close();
    await peers?.close();
  });

  it('claims the Stasis app the dialplan names beside an events app of its own, subscribed to the whole PBX', () => {
    expect(stasisApp()).toEqual({ user: 'cti', app: expect.stringMatching(/^ctipop-100-events-[a-z0-9]+$/), apps: [expect.stringMatching(/^ctipop-100-events-/), APP], subscribeAll: true, replaced: false });
  });

  it("renames Carol's call and sets her account code on the channel, then continues it, and the pop shows the new name", async () => {
    const from = play(inbound('control-carol', '+15551234567'));
    const cont = await waitFor('the continue', continued(from), 10_000);
    const requests = requestsSince(from);
    expect(requests.map((r) => [r.path.split('/').at(-1), r.query.variable ?? '', r.query.value ?? '', r.status, r.user])).toEqual([
      ['variable', 'CALLERID(name)', 'ACME Inc OVRDUE', 204, 'cti'],
      ['variable', 'CHANNEL(accountcode)', 'ACME-1001', 204, 'cti'],
      ['continue', '', '', 204, 'cti'],
    ]);
    expect(cont.query).toEqual({});
    const pop = await waitFor('the pop', () => peers.crm.log().requests.find((r) => r.kind === 'pop' && r.params.n === '+15551234567'));
    expect(pop.params.name).toBe('ACME Inc OVRDUE');
  });

  it("routes Victor's call to the vip queue: CTIPOP_BREAK for the dialplan and a continue to ext-queues,vip,1", async () => {
    const from = play(inbound('control-victor', '+4940999888'));
    const cont = await waitFor('the continue', continued(from), 10_000);
    const vars = Object.fromEntries(requestsSince(from).filter((r) => r.path.endsWith('/variable')).map((r) => [r.query.variable, r.query.value]));
    expect(vars).toEqual({ 'CALLERID(name)': 'Victor VIP (Big Account)', 'CHANNEL(accountcode)': 'VIP-1', CTIPOP_BREAK: '1' });
    expect(cont.query).toEqual({ context: 'ext-queues', extension: 'vip', priority: '1' });
    expect(cont.status).toBe(204);
    expect(peers.ari.parkedChannels()).toEqual([]);
  });

  // The longest lookup timeout outlasts the emulator's fall-through: a continue that waited for it
  // would find the call gone (409), so a 204 shows it did not wait, whatever the machine's load.
  it('continues at once when no lookup is configured', async () => {
    await configure(settings('cti:secret', { inboundUrl: '' }), undefined, 30_000);
    const from = play(inbound('control-nolookup', '+15550002222'));
    const cont = await waitFor('the continue', continued(from), 10_000);
    expect(requestsSince(from).map((r) => [r.path.split('/').at(-1), r.status])).toEqual([['continue', 204]]);
    expect(peers.crm.log().requests.filter((r) => r.kind === 'lookup' && r.at >= from)).toEqual([]);
  });

  it('continues within its own deadline when the CRM hangs', async () => {
    await configure(settings('cti:secret', lookup()), undefined, SHORT_TIMEOUT_MS);
    await peers.crm.setMode({ hang: true, paths: ['/cti/lookup'] });
    try {
      const from = play(inbound('control-hang', '+15551234567'));
      const cont = await waitFor('the continue', continued(from), 10_000);
      expect(cont.query).toEqual({});
      // It waited for the lookup, then continued while the call was still parked: before the
      // emulator's fall-through (EMULATOR_DEADLINE_MS, ten times this deadline), or 409.
      expect(cont.at - from).toBeGreaterThanOrEqual(SHORT_TIMEOUT_MS - 100); // clocks round, timers may fire a ms early
      expect(cont.status).toBe(204);
    } finally {
      await peers.crm.setMode({ hang: false, paths: null });
    }
  });

  // Chromium only: stopping Firefox's event page needs the browser's system scope (all-day.test.ts
  // does it); the code path after the restart is the same.
  it.runIf(kind === 'chromium')('a call left parked when the browser stopped the background continues once a new worker connects', async () => {
    await configure(settings('cti:secret', lookup())); // the old worker's own deadline must not end the wait first
    await peers.crm.setMode({ hang: true, paths: ['/cti/lookup'] });
    try {
      const from = play(inbound('control-orphan', '+15551234567'));
      await waitFor('the call to be parked in Stasis', () => peers.ari.parkedChannels().length === 1 || undefined, 5000);
      const page = await ext.extensionPage();
      const cdp = await page.createCDPSession();
      await cdp.send('ServiceWorker.enable');
      await cdp.send('ServiceWorker.stopAllWorkers');
      await cdp.detach();
      await waitFor('the stopped worker to drop its socket', () => !stasisApp() || undefined, 5000);
      expect(requestsSince(from)).toEqual([]);
      // Any extension event starts a new worker (in real life the 30-s watchdog alarm does).
      await page.evaluate(() => (globalThis as unknown as { chrome: { runtime: { sendMessage(m: object): Promise<unknown> } } }).chrome.runtime.sendMessage({ wake: true }).catch(() => undefined));
      // The call must go on: a second continue racing the first may meet a channel already gone (409).
      const cont = await waitFor('the continue from the new worker', () => requestsSince(from).find((r) => r.path.endsWith('/continue') && r.status === 204), 10_000);
      expect(cont.query).toEqual({});
    } finally {
      await peers.crm.setMode({ hang: false, paths: null });
    }
  });

  it('with a read-only ARI user: the reply is shown, the PBX refuses to apply it (403) and says so, and the call still goes on', async () => {
    await configure(settings('viewer:secret', lookup()), 'viewer');
    const from = play(inbound('control-readonly', '+15551234567'));
    const refused = await waitFor('the refused request', () => requestsSince(from).find((r) => r.status === 403), 10_000);
    expect(refused.user).toBe('viewer');
    expect(requestsSince(from).every((r) => r.status === 403)).toBe(true);
    // This call's card: the orphan case's call (same caller) may still be listed, with a "did not
    // apply" of its own (its late reply met a call already continued and gone).
    const card = await waitFor('the call with its lookup in the view', async () => (await viewCalls(ext)).find((c) => c.call.offeredAt >= from && c.lookups.some((l) => l.detail?.includes('did not apply'))), 10_000);
    expect(card.call.variables.calleridname).toBe('ACME Inc OVRDUE');
    expect(card.lookups.find((l) => l.point === 'inbound')?.detail).toContain('read_only');
    // Nothing the extension may do continues the call: the dialplan's own fall-through does.
    await waitFor('the call to leave Stasis', () => peers.ari.parkedChannels().length === 0 || undefined, EMULATOR_DEADLINE_MS + 5000);
  });

  it('another client takes the Stasis app: the connection says so, and its events app keeps listening', async () => {
    const ours = stasisApp()!;
    const other = new WebSocket(`${peers.sim.url.replace(/^http/, 'ws')}/ari/events?app=${APP}&subscribeAll=true&api_key=cti:secret`);
    try {
      await new Promise((resolve, reject) => other.once('open', resolve).once('error', reject));
      const health = await waitFor('the view to say control moved', async () => {
        const page = await ext.extensionPage();
        const h = await page.evaluate(async () => {
          type Api = { storage: { session: { get(k: string): Promise<Record<string, unknown>> } } };
          const g = globalThis as unknown as { browser?: Api; chrome: Api };
          return ((await (g.browser ?? g.chrome).storage.session.get('view')).view as { connection: { state: string; lastError?: string } }).connection;
        });
        return h.lastError?.includes('ApplicationReplaced') ? h : undefined;
      }, 5000);
      expect(health.state).toBe('connected');
      expect(health.lastError).toContain(`another client took the Stasis app ${APP}`);
      expect(peers.ari.state().clients.find((c) => c.app === ours.app)).toEqual({ ...ours, apps: [ours.app] });
    } finally {
      other.close();
    }
  });
});
