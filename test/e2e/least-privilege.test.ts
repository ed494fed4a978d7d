import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchWithExtension, waitFor, type BrowserKind, type ExtensionBrowser } from './harness/launch';
import { BROWSERS } from './harness/lanes';
import { CHROME_ID } from './harness/paths';
import { peerSettings, startPeers, type Peers } from './harness/peers';

const SPEED = 50;

/** A 127.0.0.1 port nothing listens on (a CRM that is down). */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function view(ext: ExtensionBrowser): Promise<{ connection: { state: string; lastError?: string }; history: unknown[]; calls: unknown[] }> {
  return (await ext.extensionPage()).evaluate(async () => {
    type Api = { storage: { session: { get(k: string): Promise<Record<string, unknown>> } } };
    const g = globalThis as unknown as { browser?: Api; chrome: Api };
    return (await (g.browser ?? g.chrome).storage.session.get('view')).view as never;
  });
}

/**
 * Least privilege as the browser sees it: what the extension asks for at install, the transport
 * rule applied by the background, and "Sign out and clear data" from the options page.
 */
describe.each<BrowserKind>(BROWSERS)('least privilege in %s', (kind) => {
  let peers: Peers;
  let ext: ExtensionBrowser;

  beforeAll(async () => {
    peers = await startPeers();
    ext = await launchWithExtension(kind);
  });
  afterAll(async () => {
    await ext?.close();
    await peers?.close();
  });

  it('refuses an unencrypted connection to another machine before opening it, and says why', async () => {
    // 192.0.2.1 is TEST-NET-1: never contacted, the rule refuses it before any socket opens.
    await ext.configure(peerSettings(peers, { connection: { url: 'ws://192.0.2.1:8088/ws' } }));
    const refused = await waitFor('the connection to be refused', async () => {
      const v = await view(ext);
      return v?.connection.state === 'error' && v.connection.lastError?.includes('Not connecting') ? v.connection.lastError : undefined;
    });
    expect(refused).toContain('192.0.2.1:8088 over ws');
    expect(refused).toContain('wss://');
  });

  it('signs out: undelivered post-call records first, discarded only by explicit choice, then secret, history and calls are gone', async () => {
    const port = await deadPort();
    await ext.configure(peerSettings(peers, {
      cti: { postCallUrl: `http://127.0.0.1:${port}/cdr?uniqueid=%%uniqueid%%` },
      // No pop tab or notification: the options page stays in front for the clicks.
      behaviour: { target: 'sidepanel', fallback: 'badge', notifications: false },
    }));
    await waitFor('the extension to connect to the simulator', () => peers.sim.state().ws > 0);
    expect(peers.sim.play('inbound-answered', { speed: SPEED }).ok).toBe(true);
    await waitFor('the call in the history', async () => ((await view(ext))?.history.length ? true : undefined), 20_000);
    await waitFor('the record queued', async () => ((await ext.stored('outbox')) as unknown[] | undefined)?.length === 1 || undefined);

    const options = await ext.extensionPage();
    await options.bringToFront();
    await options.waitForSelector('[data-testid=signout]');
    await options.click('[data-testid=signout]');
    const undelivered = await options.waitForSelector('[data-testid=signout-undelivered]', { timeout: 20_000 });
    expect(await undelivered!.evaluate((e) => e.textContent)).toContain('1 post-call record');
    // Nothing was cleared yet.
    expect((await ext.stored('settings') as { connection?: { secret?: string } }).connection?.secret).toBe(peers.sim.token);
    expect(((await view(ext)).history).length).toBe(1);

    await options.click('[data-testid=signout-discard]');
    await options.waitForSelector('[data-testid=signout-done]', { timeout: 20_000 });
    const settings = (await ext.stored('settings')) as { connection?: { secret?: string; url?: string } };
    expect(settings.connection?.secret ?? '').toBe('');
    expect(settings.connection?.url).toBe(peers.sim.wsUrl);
    expect((await ext.stored('history')) ?? []).toEqual([]);
    expect((await ext.stored('book')) as { calls: object }).toMatchObject({ calls: {} });
    expect(await ext.stored('outbox')).toEqual([]);
    expect(await ext.stored('resume')).toBeUndefined();
    await waitFor('the view without history', async () => ((await view(ext)).history.length === 0 ? true : undefined));
  });
  // Last: chrome://extensions is opened in this browser for Chrome's own list of install warnings.
  it('asks for no tabs permission, and Firefox declares what leaves the device', async () => {
    const manifest = await (await ext.extensionPage()).evaluate(() => {
      type Api = { runtime: { getManifest(): Record<string, unknown> } };
      const g = globalThis as unknown as { browser?: Api; chrome: Api };
      return (g.browser ?? g.chrome).runtime.getManifest();
    }) as { permissions: string[]; browser_specific_settings?: { gecko?: { data_collection_permissions?: { required?: string[] } } } };
    expect(manifest.permissions).not.toContain('tabs');
    // contextMenus: click-to-dial's menu items (no install warning; no host access).
    expect(manifest.permissions.sort()).toEqual(['alarms', 'contextMenus', 'idle', 'notifications', 'storage', ...(kind === 'chromium' ? ['sidePanel'] : [])].sort());
    if (kind === 'firefox') {
      expect(manifest.browser_specific_settings?.gecko?.data_collection_permissions?.required?.sort()).toEqual(['authenticationInfo', 'personalCommunications', 'personallyIdentifyingInfo']);
      return;
    }
    // The warnings Chrome shows at install, as chrome://extensions lists them.
    const page = await ext.browser.newPage();
    await page.goto(`chrome://extensions/?id=${CHROME_ID}`);
    const warnings = await page.evaluate(async (id) => {
      const dp = (globalThis as unknown as { chrome: { developerPrivate: { getExtensionInfo(id: string): Promise<{ permissions: { simplePermissions: { message: string }[] } }> } } }).chrome.developerPrivate;
      return (await dp.getExtensionInfo(id)).permissions.simplePermissions.map((p) => p.message);
    }, CHROME_ID);
    await page.close();
    // `tabs` used to add "Read your browsing history".
    expect(warnings).toEqual(['Display notifications']);
  });
});
