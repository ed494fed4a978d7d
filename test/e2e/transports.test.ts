import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAriEmulator, type AriEmulator } from '../sim/ari/emulator';
import { startDemoCrm } from '../sim/demo-crm';
import { startSimulator } from '../sim/server';
import { SIM_USERS } from '../sim/sim-users';
import { launchWithExtension, waitFor, type BrowserKind, type ExtensionBrowser } from './harness/launch';
import { CHROME_ID, FIREFOX_UUID } from './harness/paths';
import { peerSettings, type Peers } from './harness/peers';
import { inLane } from './harness/lanes';

type Transport = 'json-ws' | 'json-sse' | 'ari';
type AriPeers = Peers & { ari: AriEmulator };

const CAROL = '+15551234567';
const HANS = '+4930123456';

/**
 * The simulator and demo CRM, with the ARI emulation kept at hand to see its event sockets. Host
 * permissions cannot be granted headless, so the lab's ari.conf lists the extension's origins in
 * `allowed_origins` for the REST reads.
 */
async function startPeersWithAri(): Promise<AriPeers> {
  const ari = createAriEmulator({ users: SIM_USERS.map((u) => ({ ...u })), allowedOrigins: [`chrome-extension://${CHROME_ID}`, `moz-extension://${FIREFOX_UUID}`] });
  const crm = await startDemoCrm();
  const sim = await startSimulator({ heartbeatMs: 15_000, plugin: ari });
  return { sim, crm, ari, close: async () => void (await Promise.all([sim.close(), crm.close()])) };
}

function connectionFor(peers: Peers, transport: Transport) {
  if (transport === 'json-ws') return { kind: 'json-ws', url: peers.sim.wsUrl, secret: peers.sim.token };
  if (transport === 'json-sse') return { kind: 'json-sse', url: peers.sim.sseUrl, secret: peers.sim.token };
  return { kind: 'ari', url: peers.sim.url, secret: 'cti:secret', trunks: ['PJSIP/pstn'] };
}

const connected = (peers: AriPeers, transport: Transport) => () => {
  const s = peers.sim.state();
  const n = transport === 'json-ws' ? s.ws : transport === 'json-sse' ? s.sse : peers.ari.state().clients.filter((c) => !c.replaced).length;
  return n > 0 || undefined;
};

/** No call left at the PBX, on either face of the simulator. */
const pbxIdle = (peers: AriPeers) => () => (peers.sim.state().activeCalls.length === 0 && peers.ari.channels().length === 0) || undefined;

/**
 * Each transport end to end in each browser: a call pops; the stream killed mid-call comes back by
 * itself, the call that rang while it was down is picked up (resume/resync), a call that ended
 * while it was down is closed (its post-call record is sent), and nothing pops or posts twice.
 */
describe.each(([
  ['chromium', 'json-ws'],
  ['chromium', 'json-sse'],
  ['chromium', 'ari'],
  ['firefox', 'json-ws'],
  ['firefox', 'json-sse'],
  ['firefox', 'ari'],
] satisfies [BrowserKind, Transport][]).filter(([kind]) => inLane(kind)))('%s over %s', (kind, transport) => {
  let peers: AriPeers;
  let ext: ExtensionBrowser;
  const pops = () => peers.crm.log().requests.filter((r) => r.kind === 'pop' && r.headers['sec-fetch-dest'] === 'document');
  const postCalls = () => peers.crm.log().postcallCounts;

  /** Cuts the extension off the PBX (open sockets killed, new ones refused) for `ms`, then waits for it to come back. */
  async function outage(ms: number) {
    peers.sim.stop();
    peers.sim.kill();
    expect(connected(peers, transport)()).toBeUndefined();
    await new Promise((r) => setTimeout(r, ms));
    const connects = peers.sim.state().connectCount;
    peers.sim.start();
    await waitFor('the reconnect', connected(peers, transport), 40_000);
    if (transport !== 'ari') expect(peers.sim.state().connectCount).toBeGreaterThan(connects);
  }

  beforeAll(async () => {
    peers = await startPeersWithAri();
    ext = await launchWithExtension(kind);
    await ext.configure(peerSettings(peers, {
      connection: connectionFor(peers, transport),
      cti: {
        popupUrl: `${peers.crm.url}/pop?id=%%linkedid%%&n=%%calleridnumber%%&name=%%calleridname%%`,
        postCallUrl: `${peers.crm.url}/postcall?src=%%src%%&disposition=%%disposition%%`,
      },
    }));
    await waitFor(`the ${transport} connection`, connected(peers, transport), 40_000);
  });
  afterAll(async () => {
    await ext?.close();
    await peers?.close();
  });

  it('pops a ringing call with the caller from the PBX, and posts its record once', async () => {
    expect(peers.sim.play('inbound-answered', { speed: 20 }).ok).toBe(true);
    const pop = await waitFor('the pop', () => pops()[0]);
    expect(pop.params.n).toBe(CAROL);
    expect(pop.params.name).toBe('Carol Customer');
    await waitFor('the post-call record', () => Object.keys(postCalls()).length === 1 || undefined, 20_000);
  });

  it('reconnects after the stream is killed mid-call, picks up the call that rang meanwhile, and pops nothing twice', async () => {
    const before = pops().length;
    const records = Object.keys(postCalls()).length;
    // Carol's call pops; the stream dies while it rings, and Hans calls during the outage.
    expect(peers.sim.play('concurrent-calls', { speed: 2 }).ok).toBe(true);
    await waitFor("Carol's pop", () => pops().length > before || undefined);
    await outage(1500);
    await waitFor("Hans's pop, rung while cut off", () => pops().slice(before).find((p) => p.params.n === HANS), 20_000);
    await waitFor('both calls to end at the PBX', pbxIdle(peers), 30_000);
    await waitFor('both post-call records', () => Object.keys(postCalls()).length >= records + 2 || undefined, 20_000);
    await new Promise((r) => setTimeout(r, 1500));
    expect(pops().slice(before).map((p) => p.params.n).sort()).toEqual([CAROL, HANS].sort());
    expect(Object.keys(postCalls())).toHaveLength(records + 2);
    expect(Object.values(postCalls()).every((n) => n === 1)).toBe(true);
  });

  it('closes a call that ended while the stream was down (its record is sent once)', async () => {
    const before = pops().length;
    const records = Object.keys(postCalls()).length;
    // Rings at 25 ms, answered at 1.3 s, ends at 2.8 s: entirely inside the outage but the start.
    expect(peers.sim.play('inbound-answered', { speed: 4 }).ok).toBe(true);
    await waitFor('the pop', () => pops().length > before || undefined);
    await outage(3500);
    await waitFor('the post-call record of the call that ended meanwhile', () => Object.keys(postCalls()).length > records || undefined, 20_000);
    await new Promise((r) => setTimeout(r, 1000));
    expect(pops()).toHaveLength(before + 1);
    expect(Object.keys(postCalls())).toHaveLength(records + 1);
  });
});
