import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchWithExtension, waitFor, type BrowserKind, type ExtensionBrowser } from './harness/launch';
import { peerSettings, startPeers, type Peers } from './harness/peers';
import { BROWSERS } from './harness/lanes';

const HOSTILE_NAME = 'Zoë Müller-Łukasiewicz 東京 & Co #1 %%calleridnumber%% 100%\r\nX-Injected: yes \u202Egnp.exe <script>alert(1)</script>';

/** Written out independently of the extension's code: CTI.md §2 cleaning, then URI-component encoding. */
const cleaned = HOSTILE_NAME.replace(/[\r\n\u202E]/g, '').normalize('NFC');
const encoded = encodeURIComponent(cleaned).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

describe.each(BROWSERS)('first pop in %s', (kind) => {
  let peers: Peers;
  let ext: ExtensionBrowser;

  beforeAll(async () => {
    peers = await startPeers();
    ext = await launchWithExtension(kind);
    await ext.configure(peerSettings(peers));
    await waitFor('the extension to connect to the simulator', () => peers.sim.state().ws > 0);
  });
  afterAll(async () => {
    await ext?.close();
    await peers?.close();
  });

  it('opens the pop-up URL with a hostile caller ID encoded exactly once', async () => {
    const played = peers.sim.play('hostile-callerid', { speed: 20 });
    expect(played.ok).toBe(true);
    const pop = await waitFor('the pop-up request at the demo CRM', () => peers.crm.log().requests.find((r) => r.kind === 'pop'));
    expect(pop.params.name).toBe(cleaned);
    expect(pop.params.number).toBe('+15550001111');
    expect(pop.params.e164).toBe('+15550001111');
    expect(pop.rawQuery).toBe(`name=${encoded}&number=%2B15550001111&e164=%2B15550001111`);
    // One pop per call, even after the call is answered and ends.
    await waitFor('the call to end at the simulator', () => peers.sim.state().activeCalls.length === 0 || undefined);
    await new Promise((r) => setTimeout(r, 300));
    expect(peers.crm.log().requests.filter((r) => r.kind === 'pop')).toHaveLength(1);
  });
});
