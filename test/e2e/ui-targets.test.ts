import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchWithExtension, waitFor, type BrowserKind, type ExtensionBrowser } from './harness/launch';
import { peerSettings, startPeers, type Peers } from './harness/peers';
import { stretched } from './harness/ui-pages';
import { BROWSERS } from './harness/lanes';

const SPEED = 50;

/** The browser's tabs showing the demo CRM, read through the extension (`tabs` permission). */
async function crmTabs(ext: ExtensionBrowser, crmUrl: string): Promise<string[]> {
  const page = await ext.extensionPage();
  return page.evaluate(async (prefix) => {
    type Api = { tabs: { query(q: object): Promise<{ url?: string }[]> } };
    const g = globalThis as unknown as { browser?: Api; chrome: Api };
    const tabs = await (g.browser ?? g.chrome).tabs.query({});
    return tabs.map((t) => t.url ?? '').filter((u) => u.startsWith(prefix));
  }, crmUrl);
}

/** Pops as the CRM sees them: top-level page loads of /pop (a side panel frame would be `iframe`). */
const pops = (peers: Peers) => peers.crm.log().requests.filter((r) => r.kind === 'pop' && r.headers['sec-fetch-dest'] === 'document');
const postcalls = (peers: Peers) => peers.crm.log().requests.filter((r) => r.kind === 'postcall');
const callsOver = (peers: Peers) => waitFor('the calls to end at the simulator', () => peers.sim.state().activeCalls.length === 0 || undefined, 20_000);

describe.each(BROWSERS)('pop-up targets in %s', (kind) => {
  let peers: Peers;
  let ext: ExtensionBrowser;

  beforeAll(async () => {
    peers = await startPeers();
    ext = await launchWithExtension(kind);
    await ext.configure(peerSettings(peers, {
      cti: {
        popupUrl: `${peers.crm.url}/pop?id=%%linkedid%%&n=%%calleridnumber%%`,
        postCallUrl: `${peers.crm.url}/postcall?uniqueid=%%uniqueid%%&billsec=%%billsec%%`,
      },
      behaviour: { target: 'tab', reuseTab: true },
    }));
    await waitFor('the extension to connect to the simulator', () => peers.sim.state().ws > 0);
  });
  afterAll(async () => {
    await ext?.close();
    await peers?.close();
  });

  it('reuses one tab for two calls', async () => {
    expect(await crmTabs(ext, peers.crm.url)).toEqual([]);
    expect(peers.sim.play('inbound-answered', { speed: SPEED }).ok).toBe(true);
    await waitFor('the first pop', () => pops(peers)[0]);
    await callsOver(peers);
    expect(peers.sim.play(stretched('ring-group', 1, '-second'), { speed: SPEED }).ok).toBe(true);
    await waitFor('the second pop', () => pops(peers)[1]);
    await callsOver(peers);
    const ids = pops(peers).map((p) => p.params.id);
    expect(new Set(ids).size).toBe(2);
    // One CRM tab, now showing the second call.
    const tabs = await waitFor('the tab to show the second call', async () => {
      const t = await crmTabs(ext, peers.crm.url);
      return t.length === 1 && t[0]!.includes(`id=${encodeURIComponent(ids[1]!)}`) ? t : undefined;
    });
    expect(tabs).toHaveLength(1);
  });

  it('do-not-disturb pauses pops but still sends the post-call record', async () => {
    await ext.configure({ ...peerSettings(peers, {
      cti: {
        popupUrl: `${peers.crm.url}/pop?id=%%linkedid%%&n=%%calleridnumber%%`,
        postCallUrl: `${peers.crm.url}/postcall?uniqueid=%%uniqueid%%&billsec=%%billsec%%`,
      },
      behaviour: { target: 'tab', reuseTab: true, doNotDisturb: true },
    }) });
    // The worker takes new settings from storage.onChanged; give it that turn.
    await new Promise((r) => setTimeout(r, 500));
    const popsBefore = pops(peers).length;
    const postcallsBefore = postcalls(peers).length;
    expect(peers.sim.play(stretched('inbound-answered', 1, '-dnd'), { speed: SPEED }).ok).toBe(true);
    await callsOver(peers);
    await waitFor('the post-call record of the DND call', () => (postcalls(peers).length === postcallsBefore + 1 ? true : undefined));
    await new Promise((r) => setTimeout(r, 1000));
    expect(pops(peers)).toHaveLength(popsBefore);
    expect(postcalls(peers)).toHaveLength(postcallsBefore + 1);
    // The call shows in the view as suppressed, not as lost.
    const view = await (await ext.extensionPage()).evaluate(async () => {
      type Api = { storage: { session: { get(k: string): Promise<Record<string, unknown>> } } };
      const g = globalThis as unknown as { browser?: Api; chrome: Api };
      return (await (g.browser ?? g.chrome).storage.session.get('view')).view as { calls: { call: { id: string }; pop: { state: string; detail?: string } }[]; doNotDisturb: boolean };
    });
    expect(view.doNotDisturb).toBe(true);
    expect(view.calls.filter((c) => c.pop.state === 'suppressed').map((c) => c.pop.detail)).toEqual(['do-not-disturb']);
  });
});
