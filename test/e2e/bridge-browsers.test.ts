import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerNumber, inboundCalls } from '../bridge/bridge-calls';
import { startBridgeRig, type BridgeRig } from '../bridge/bridge-rig';
import { startDemoCrm, type DemoCrm } from '../sim/demo-crm';
import { launchWithExtension, waitFor, type ExtensionBrowser } from './harness/launch';
import { BROWSERS } from './harness/lanes';

const ME = 'PJSIP/100';
type Transport = 'json-ws' | 'json-sse';

/**
 * The extension on the bridge, in each browser: the existing `json-ws` and `json-sse` settings
 * pointed at an edge (three nats-servers, one ingest, the ARI emulation as the PBX) with a
 * per-user token, no ARI credential in the browser. Calls placed through the emulation pop; the
 * edge is restarted mid-call with a second call ringing while it is down, and the extension
 * reconnects, resumes, pops that call and posts each call's record once. One browser session per
 * browser; the connection setting is switched from WebSocket to SSE inside it.
 */
describe.each(BROWSERS)('%s on the bridge', (kind) => {
  let rig: BridgeRig;
  let crm: DemoCrm;
  let ext: ExtensionBrowser;
  let edgePort = 0;
  let placed = 0;
  const pops = () => crm.log().requests.filter((r) => r.kind === 'pop' && r.headers['sec-fetch-dest'] === 'document');
  const popsOf = (n: number) => pops().filter((p) => p.params.n === callerNumber(ME, n));
  const records = () => crm.log().postcallCounts;
  const connections = () => rig.edges[0]?.stats().connections ?? 0;

  async function connectVia(transport: Transport) {
    const edge = rig.edges[0]!;
    await ext.configure({
      connection: { kind: transport, url: transport === 'json-ws' ? edge.wsUrl : edge.sseUrl, secret: rig.token([ME]).token, endpoints: [ME] },
      cti: {
        popupUrl: `${crm.url}/pop?id=%%linkedid%%&n=%%calleridnumber%%`,
        postCallUrl: `${crm.url}/postcall?src=%%src%%&disposition=%%disposition%%`,
      },
      behaviour: { target: 'tab' },
    });
    await waitFor(`the ${transport} connection to the edge`, () => connections() > 0 || undefined, 30_000);
  }

  /** Places one call to PJSIP/100 through the ARI emulation; returns its number. */
  function call(ms: { ring: number; answer: number; hangup: number }, alsoFor: string[] = []) {
    placed += 1;
    rig.play(inboundCalls(`browser-${placed}`, [ME, ...alsoFor].map((endpoint) => ({ endpoint, n: placed })), ms));
    return placed;
  }

  beforeAll(async () => {
    rig = await startBridgeRig({ endpoints: [ME, 'PJSIP/101'], edges: 1 });
    edgePort = rig.edges[0]!.port;
    crm = await startDemoCrm();
    ext = await launchWithExtension(kind);
  });
  afterAll(async () => {
    await ext?.close();
    await crm?.close();
    await rig?.close();
  });

  it.each(['json-ws', 'json-sse'] satisfies Transport[])('over %s: pops calls from the PBX, survives an edge restart mid-call, each call pops once and posts once', async (transport) => {
    const recordsBefore = Object.keys(records()).length;
    await connectVia(transport);

    // A plain call pops and posts its record; PJSIP/101's call at the same time reaches nobody here.
    const first = call({ ring: 50, answer: 400, hangup: 900 }, ['PJSIP/101']);
    await waitFor('the first pop', () => popsOf(first)[0], 15_000);

    // A long call pops; the edge dies while it is up, and a second call rings during the outage.
    const long = call({ ring: 50, answer: 600, hangup: 7000 });
    await waitFor('the long call to pop', () => popsOf(long)[0], 15_000);
    await rig.killEdge(0);
    // It rings long enough to be still ringing when the extension is back (a call that ended meanwhile is closed, not popped).
    const during = call({ ring: 50, answer: 9000, hangup: 10_000 });
    await new Promise((r) => setTimeout(r, 1500));
    await rig.startEdge(0, edgePort);
    const down = Date.now();
    await waitFor('the extension to reconnect to the restarted edge', () => connections() > 0 || undefined, 30_000);
    console.log(`${kind} ${transport}: reconnected ${Date.now() - down} ms after the edge came back`);
    await waitFor('the call that rang during the outage to pop', () => popsOf(during)[0], 20_000);

    // Every call ends at the PBX; each yields one record at the CRM and popped once.
    await waitFor('three post-call records', () => Object.keys(records()).length >= recordsBefore + 3 || undefined, 25_000);
    await new Promise((r) => setTimeout(r, 1500));
    expect([first, long, during].map((n) => popsOf(n).length)).toEqual([1, 1, 1]);
    expect(Object.keys(records())).toHaveLength(recordsBefore + 3);
    expect(Object.values(records()).every((n) => n === 1)).toBe(true);
    expect(pops().filter((p) => p.params.n === callerNumber('PJSIP/101', first))).toEqual([]);
  });
});
