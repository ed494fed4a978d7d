import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser } from 'puppeteer-core';
import { afterAll, describe, expect, it } from 'vitest';
import { createAriEmulator, type AriEmulator } from '../sim/ari/emulator';
import { startDemoCrm } from '../sim/demo-crm';
import type { Scenario } from '../sim/scenario';
import { startSimulator } from '../sim/server';
import { SIM_USERS } from '../sim/sim-users';
import { launchWithExtension, waitFor, type BrowserKind } from './harness/launch';
import { inLane } from './harness/lanes';
import { CHROME_ID, FIREFOX_DIR, FIREFOX_UUID, GECKO_ID, OUT_DIR } from './harness/paths';
import { peerSettings, type Peers } from './harness/peers';
import { spawnChromium } from './harness/spawn-chromium';

/**
 * A working day, compressed: minutes of overlapping calls to PJSIP/100 while the stream is killed
 * and the browser stops the background every so often. Every call must pop exactly once and send
 * exactly one post-call record. Chromium runs with no DevTools attached (an attached debugger
 * keeps workers alive); Firefox's event page is stopped the way about:debugging's "Terminate
 * background script" does it. Off unless CTIPOP_ALLDAY=1 (it runs for real time).
 */
const ENABLED = process.env.CTIPOP_ALLDAY === '1';
const MINUTES = Number(process.env.CTIPOP_ALLDAY_MIN ?? 15);
const BROWSERS = ((process.env.CTIPOP_ALLDAY_BROWSERS ?? 'chromium,firefox').split(',') as BrowserKind[]).filter(inLane);
const TRANSPORTS = (process.env.CTIPOP_ALLDAY_TRANSPORTS ?? 'json-ws,ari').split(',') as Transport[];
/** Each browser's minutes are shared out between the transports. */
const SESSION_MS = (MINUTES * 60_000) / TRANSPORTS.length;
const CALL_EVERY_MS = 7000;
/** Longer than the worst outage (a stopped worker waits for the 30-s watchdog alarm), so every call is still ringing when we are back. */
const RING_MS = 40_000;
/** An outage every 50–80 s (CTIPOP_ALLDAY_OUTAGE_S="50,80"), alternately a stream kill and a worker stop. */
const OUTAGE_EVERY_MS = (process.env.CTIPOP_ALLDAY_OUTAGE_S ?? '50,80').split(',').map((s) => Number(s) * 1000) as [number, number];

type Transport = 'json-ws' | 'ari';
type OutageKind = 'stream-kill' | 'worker-stop';

interface Outage {
  kind: OutageKind;
  /** ms after the session start. */
  at: number;
  /** For stream kills: how long new connections were refused. */
  downMs: number;
  /** From the moment the PBX took connections again (or the worker was stopped) to the new connection. */
  reconnectMs: number;
}

interface SessionResult {
  browser: BrowserKind;
  transport: Transport;
  minutes: number;
  calls: number;
  pops: number;
  missed: string[];
  duplicates: string[];
  postCallsMissing: string[];
  postCallsDuplicated: string[];
  outages: Outage[];
  newWorkers?: number;
  /** Why the session stopped early, if it did (its outages so far are kept). */
  error?: string;
}

const results: SessionResult[] = [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const between = (lo: number, hi: number) => lo + Math.random() * (hi - lo);

function percentile(values: number[], p: number): number | null {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function summary() {
  const stats = (kind?: OutageKind) => {
    const ms = results.flatMap((r) => r.outages).filter((o) => !kind || o.kind === kind).map((o) => o.reconnectMs);
    return { count: ms.length, p50: percentile(ms, 50), p95: percentile(ms, 95), max: ms.length ? Math.max(...ms) : null };
  };
  return {
    minutesPerBrowser: MINUTES,
    calls: results.reduce((n, r) => n + r.calls, 0),
    missed: results.reduce((n, r) => n + r.missed.length, 0),
    duplicates: results.reduce((n, r) => n + r.duplicates.length, 0),
    reconnectMs: { all: stats(), streamKill: stats('stream-kill'), workerStop: stats('worker-stop') },
  };
}

afterAll(() => {
  if (!results.length) return;
  mkdirSync(OUT_DIR, { recursive: true });
  const report = { summary: summary(), sessions: results };
  writeFileSync(join(OUT_DIR, 'all-day.json'), JSON.stringify(report, null, 2));
  console.log('all-day:', JSON.stringify(report.summary, null, 2));
});

/** One inbound call from a number nobody else uses; rings PJSIP/100 for RING_MS, then answered or missed. */
function callScenario(seq: number, number: string): Scenario {
  const end = seq % 2 === 0
    ? [{ at: RING_MS, do: 'answer' as const, endpoint: 'PJSIP/100' }, { at: RING_MS + 5000, do: 'hangup' as const, by: 'caller' as const, cause: 16 }]
    : [{ at: RING_MS, do: 'stop-ringing' as const, endpoints: ['PJSIP/100'], cause: 19 }, { at: RING_MS + 500, do: 'hangup' as const, by: 'caller' as const, cause: 16 }];
  return {
    name: `all-day-${seq}`,
    description: 'all-day test call',
    calls: [{ id: 'c1', from: { number, name: `Caller ${seq}` }, to: { number: '+15559876000', name: '' }, accountcode: '', steps: [{ at: 0, do: 'offer' }, { at: 200, do: 'ring', endpoints: ['PJSIP/100'] }, ...end] }],
  };
}

async function startAllDayPeers(): Promise<Peers & { ari: AriEmulator }> {
  const ari = createAriEmulator({ users: SIM_USERS.map((u) => ({ ...u })), allowedOrigins: [`chrome-extension://${CHROME_ID}`, `moz-extension://${FIREFOX_UUID}`] });
  const crm = await startDemoCrm();
  const sim = await startSimulator({ heartbeatMs: 15_000, plugin: ari });
  return { sim, crm, ari, close: async () => void (await Promise.all([sim.close(), crm.close()])) };
}

function settingsFor(peers: Peers, transport: Transport) {
  const connection = transport === 'ari'
    ? { kind: 'ari', url: peers.sim.url, secret: 'viewer:secret', trunks: ['PJSIP/pstn'] }
    : { kind: 'json-ws', url: peers.sim.wsUrl, secret: peers.sim.token };
  return peerSettings(peers, {
    connection,
    cti: { popupUrl: `${peers.crm.url}/pop?n=%%calleridnumber%%`, postCallUrl: `${peers.crm.url}/postcall?src=%%src%%` },
    behaviour: { reuseTab: true, focus: false },
  });
}

/**
 * Firefox, as launch.ts starts it, plus WebDriver BiDi access to the browser's own (chrome) scope,
 * which is how a test can stop the extension's event page the way about:debugging does.
 */
async function launchFirefoxWithSystemAccess(profile: string): Promise<{ browser: Browser; stopBackground(): Promise<void> }> {
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: '/usr/bin/firefox-esr',
    headless: true,
    userDataDir: profile,
    args: ['--remote-allow-system-access'],
    extraPrefsFirefox: {
      'extensions.webextensions.uuids': JSON.stringify({ [GECKO_ID]: FIREFOX_UUID }),
      'browser.startup.homepage_override.mstone': 'ignore',
      'datareporting.policy.dataSubmissionEnabled': false,
    },
  });
  await browser.installExtension(FIREFOX_DIR);
  type Bidi = { send(method: string, params: object): Promise<{ result: { contexts?: { context: string }[]; result?: unknown } }> };
  const bidi = (browser as unknown as { connection: Bidi }).connection;
  return {
    browser,
    async stopBackground() {
      const tree = await bidi.send('browsingContext.getTree', { 'moz:scope': 'chrome' });
      const context = tree.result.contexts?.[0]?.context;
      if (!context) throw new Error('Firefox: no chrome-scope browsing context (is --remote-allow-system-access honoured?)');
      const expression = `(async () => {
        const { ExtensionParent } = ChromeUtils.importESModule('resource://gre/modules/ExtensionParent.sys.mjs');
        await ExtensionParent.GlobalManager.getExtension(${JSON.stringify(GECKO_ID)}).terminateBackground();
        return 'stopped';
      })()`;
      const r = await bidi.send('script.evaluate', { expression, target: { context }, awaitPromise: true });
      if ((r.result as { type?: string }).type !== 'success') throw new Error(`Firefox: terminateBackground failed: ${JSON.stringify(r.result)}`);
    },
  };
}

async function configureFirefox(browser: Browser, settings: object) {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    for (const page of await browser.pages()) {
      const href = await page.evaluate(() => location.href).catch(() => '');
      if (!href.startsWith(`moz-extension://${FIREFOX_UUID}`)) continue;
      await page.evaluate(async (s) => {
        await (globalThis as unknown as { browser: { storage: { local: { set(v: object): Promise<void> } } } }).browser.storage.local.set({ settings: s, settingsVersion: 1 });
      }, settings);
      // The options tab is closed: an open extension page would keep the event page alive.
      await page.close();
      return;
    }
    await sleep(200);
  }
  throw new Error('Firefox: the options page the extension opens on install did not appear');
}

/** Places calls and makes outages for SESSION_MS, then lets the calls finish and counts pops and records per caller. */
async function runSession(browser: BrowserKind, transport: Transport, peers: Peers & { ari: AriEmulator }, stopWorker: () => Promise<void>): Promise<SessionResult> {
  const outages: Outage[] = [];
  try {
    return await placeCalls(browser, transport, peers, stopWorker, outages);
  } catch (error) {
    results.push({ browser, transport, minutes: 0, calls: 0, pops: 0, missed: [], duplicates: [], postCallsMissing: [], postCallsDuplicated: [], outages, error: (error as Error).message });
    throw error;
  }
}

async function placeCalls(browser: BrowserKind, transport: Transport, peers: Peers & { ari: AriEmulator }, stopWorker: () => Promise<void>, outages: Outage[]): Promise<SessionResult> {
  const isConnected = () => (transport === 'ari' ? peers.ari.state().clients.some((c) => !c.replaced) : peers.sim.state().ws > 0);
  /** Event sockets accepted so far: a reconnect is one more. */
  const connects = () => (transport === 'ari' ? peers.ari.state().connects : peers.sim.state().connectCount);
  await waitFor(`${browser} over ${transport} to connect`, () => isConnected() || undefined, 30_000);
  const firstInstance = peers.sim.state().lastClients.at(-1)?.instance;
  const start = Date.now();
  const placed: string[] = [];
  let nextCall = start;
  let nextOutage = start + between(...OUTAGE_EVERY_MS);
  let kind: OutageKind = 'stream-kill';

  while (Date.now() - start < SESSION_MS) {
    if (Date.now() >= nextCall) {
      const seq = placed.length + 1;
      const number = `+4930555${String(seq).padStart(5, '0')}`;
      const played = peers.sim.play(callScenario(seq, number), { speed: 1 });
      expect(played.ok).toBe(true);
      placed.push(number);
      nextCall += CALL_EVERY_MS;
    }
    if (Date.now() >= nextOutage) {
      const at = Date.now() - start;
      const before = connects();
      let back: number;
      let downMs = 0;
      if (kind === 'stream-kill') {
        downMs = Math.round(between(0, 5000));
        peers.sim.stop();
        peers.sim.kill();
        await sleep(downMs);
        peers.sim.start();
        back = Date.now();
      } else {
        back = Date.now();
        await stopWorker();
      }
      await waitFor(`${browser} to reconnect after a ${kind}`, () => connects() > before || undefined, 90_000).catch((error: Error) => {
        // Say whether the old link was still up (the stop did nothing) or the background never came back.
        throw new Error(`${error.message} (${outages.length} outages before; the link is ${isConnected() ? 'still up' : 'down'}; ${placed.length} calls placed)`);
      });
      outages.push({ kind, at, downMs, reconnectMs: Date.now() - back });
      kind = kind === 'stream-kill' ? 'worker-stop' : 'stream-kill';
      nextOutage = Date.now() + between(...OUTAGE_EVERY_MS);
      continue;
    }
    await sleep(Math.max(10, Math.min(nextCall, nextOutage) - Date.now()));
  }

  await waitFor('the last calls to end', () => (peers.sim.state().activeCalls.length === 0 && peers.ari.channels().length === 0) || undefined, RING_MS + 30_000);
  const postCalls = (n: string) => peers.crm.log().requests.filter((r) => r.kind === 'postcall' && r.params.src === n).length;
  await waitFor('the last post-call records', () => placed.every((n) => postCalls(n) > 0) || undefined, 60_000).catch(() => undefined);
  await sleep(2000);

  const log = peers.crm.log().requests;
  const popsOf = (n: string) => log.filter((r) => r.kind === 'pop' && r.params.n === n).length;
  const instances = new Set(peers.sim.state().lastClients.map((c) => c.instance));
  const result = {
    browser,
    transport,
    minutes: Math.round((Date.now() - start) / 600) / 100,
    calls: placed.length,
    pops: log.filter((r) => r.kind === 'pop').length,
    missed: placed.filter((n) => popsOf(n) === 0),
    duplicates: placed.filter((n) => popsOf(n) > 1),
    postCallsMissing: placed.filter((n) => postCalls(n) === 0),
    postCallsDuplicated: placed.filter((n) => postCalls(n) > 1),
    outages,
    ...(transport === 'json-ws' ? { newWorkers: [...instances].filter((i) => i !== firstInstance).length } : {}),
  };
  // When something is missing, the CRM's view of the session (ms since its start) says when it went wrong.
  if (result.missed.length || result.postCallsMissing.length) console.log('CRM requests:', JSON.stringify(log.map((r) => [r.kind, r.rawQuery, r.at - start])));
  return result;
}

function check(r: SessionResult) {
  results.push(r);
  console.log(`${r.browser} over ${r.transport}: ${r.calls} calls, ${r.pops} pops, ${r.outages.length} outages`, JSON.stringify({ missed: r.missed, duplicates: r.duplicates, postCallsMissing: r.postCallsMissing, postCallsDuplicated: r.postCallsDuplicated }));
  expect(r.missed).toEqual([]);
  expect(r.duplicates).toEqual([]);
  expect(r.postCallsMissing).toEqual([]);
  expect(r.postCallsDuplicated).toEqual([]);
  expect(r.outages.some((o) => o.kind === 'worker-stop')).toBe(true);
}

const timeout = SESSION_MS + 5 * 60_000;

describe.skipIf(!ENABLED)(`all day (${MINUTES} min per browser, CTIPOP_ALLDAY=1)`, () => {
  for (const transport of TRANSPORTS) {
    it.runIf(BROWSERS.includes('chromium'))(`Chromium (no DevTools attached) over ${transport}: every call pops once through stream kills and worker stops`, async () => {
      const peers = await startAllDayPeers();
      const profile = mkdtempSync(join(tmpdir(), 'ctipop-allday-'));
      try {
        // Configure with a driver, then run the same profile with no driver attached at all.
        const setup = await launchWithExtension('chromium', { profile });
        await setup.configure(settingsFor(peers, transport));
        await waitFor('the first connection', () => (transport === 'ari' ? peers.ari.state().clients.length : peers.sim.state().ws) > 0 || undefined, 30_000);
        await setup.close();
        await waitFor('the driver-run browser to go', () => (transport === 'ari' ? peers.ari.state().clients.length : peers.sim.state().ws) === 0 || undefined, 30_000);
        const chromium = spawnChromium(profile);
        try {
          check(await runSession('chromium', transport, peers, () => chromium.stopWorkers()));
        } finally {
          await chromium.close();
        }
      } finally {
        await peers.close();
        rmSync(profile, { recursive: true, force: true });
      }
    }, timeout);

    it.runIf(BROWSERS.includes('firefox'))(`Firefox over ${transport}: every call pops once through stream kills and event-page stops`, async () => {
      const peers = await startAllDayPeers();
      const profile = mkdtempSync(join(tmpdir(), 'ctipop-allday-ff-'));
      const firefox = await launchFirefoxWithSystemAccess(profile);
      try {
        await configureFirefox(firefox.browser, settingsFor(peers, transport));
        check(await runSession('firefox', transport, peers, () => firefox.stopBackground()));
      } finally {
        await firefox.browser.close().catch(() => undefined);
        await peers.close();
        rmSync(profile, { recursive: true, force: true });
      }
    }, timeout);
  }
});
