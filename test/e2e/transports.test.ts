import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchWithExtension, waitFor, type BrowserKind, type ExtensionBrowser } from './harness/launch';
import { peerSettings, startPeers, type Peers } from './harness/peers';

type Transport = 'json-ws' | 'json-sse' | 'ari';

function connectionFor(peers: Peers, transport: Transport) {
  if (transport === 'json-ws') return { kind: 'json-ws', url: peers.sim.wsUrl, secret: peers.sim.token };
  if (transport === 'json-sse') return { kind: 'json-sse', url: peers.sim.sseUrl, secret: peers.sim.token };
  return { kind: 'ari', url: peers.sim.url, secret: 'ctipop:ctipop-secret', trunks: ['PJSIP/pstn'] };
}

const connected = (peers: Peers, transport: Transport) => () => {
  const s = peers.sim.state() as ReturnType<Peers['sim']['state']> & { ari?: { connections: number } };
  const n = transport === 'json-ws' ? s.ws : transport === 'json-sse' ? s.sse : (s.ari?.connections ?? 0);
  return n > 0 || undefined;
};

/**
 * Each transport end to end in each browser: a call pops; the stream killed mid-call comes back by
 * itself, the call that rang while it was down is picked up (resume/resync), and nothing pops twice.
 */
describe.each<[BrowserKind, Transport]>([
  ['chromium', 'json-ws'],
  ['chromium', 'json-sse'],
  ['chromium', 'ari'],
  ['firefox', 'json-ws'],
  ['firefox', 'json-sse'],
  ['firefox', 'ari'],
])('%s over %s', (kind, transport) => {
  let peers: Peers;
  let ext: ExtensionBrowser;
  const pops = () => peers.crm.log().requests.filter((r) => r.kind === 'pop' && r.headers['sec-fetch-dest'] === 'document');

  beforeAll(async () => {
    peers = await startPeers();
    ext = await launchWithExtension(kind);
    await ext.configure(peerSettings(peers, { connection: connectionFor(peers, transport), cti: { popupUrl: `${peers.crm.url}/pop?id=%%linkedid%%&n=%%calleridnumber%%&name=%%calleridname%%` } }));
    await waitFor(`the ${transport} connection`, connected(peers, transport), 20_000);
  });
  afterAll(async () => {
    await ext?.close();
    await peers?.close();
  });

  it('pops a ringing call with the caller from the PBX', async () => {
    expect(peers.sim.play('inbound-answered', { speed: 20 }).ok).toBe(true);
    const pop = await waitFor('the pop', () => pops()[0]);
    expect(pop.params.n).toBe('+15551234567');
    expect(pop.params.name).toBe('Carol Customer');
  });

  it('reconnects after the stream is killed mid-call, picks up the call that rang meanwhile, and pops nothing twice', async () => {
    const before = pops().length;
    peers.sim.stop();
    peers.sim.kill();
    // A call rings while the extension is cut off from the PBX.
    expect(peers.sim.play('concurrent-calls', { speed: 2 }).ok).toBe(true);
    await new Promise((r) => setTimeout(r, 1500));
    peers.sim.start();
    await waitFor('the reconnect', connected(peers, transport), 40_000);
    await waitFor('both concurrent calls to pop', () => (pops().length >= before + 2 ? true : undefined), 20_000);
    await new Promise((r) => setTimeout(r, 1500));
    const ids = pops().map((p) => p.params.id);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
