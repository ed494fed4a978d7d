import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchWithExtension, waitFor, type BrowserKind, type ExtensionBrowser } from './harness/launch';
import { mergeOutJson } from './harness/out-files';
import { CHROME_ID } from './harness/paths';
import { peerSettings, startPeers, type Peers } from './harness/peers';
import { closeFirefoxSidebar, inUserClick, openChromiumSidePanel, openExtensionTab, stretched } from './harness/ui-pages';
import { BROWSERS } from './harness/lanes';

/** Merges one browser's findings into test/e2e/out/panel-open.json. */
function record(kind: BrowserKind, findings: Record<string, string>) {
  mergeOutJson('panel-open.json', { [kind]: { measuredAt: new Date().toISOString(), ...findings } });
}

type Api = {
  sidePanel?: { close(o: { windowId: number }): Promise<void> };
  sidebarAction?: { isOpen(o: object): Promise<boolean> };
  windows: { getCurrent(): Promise<{ id: number }> };
};

/**
 * What each browser allows for opening the side panel (Chrome `sidePanel.open`, Firefox
 * `sidebarAction.open`): from the background when a call comes in (no gesture), from a click in
 * the toolbar popup or another extension page, through a message sent from such a click, and
 * by keyboard shortcut. Notification clicks cannot be tested headless: Chromium gives no way to
 * click a system notification, and headless Firefox closes notifications as soon as they open.
 */
describe.each(BROWSERS)('opening the side panel in %s', (kind) => {
  let peers: Peers;
  let ext: ExtensionBrowser;
  let options: Page;
  const findings: Record<string, string> = {
    notificationClick: kind === 'chromium'
      ? 'not testable headless: no way to click a system notification (the background opens the panel from notifications.onClicked; Chrome documents that click as a user gesture)'
      : 'not testable headless: headless Firefox closes every notification at once (getAll() stays empty)',
  };

  const chromiumPanelOpen = () => ext.browser.targets().some((t) => t.url().endsWith('/sidepanel.html'));
  const firefoxPanelOpen = () => options.evaluate(async () => ((globalThis as unknown as { browser: Api }).browser.sidebarAction!.isOpen({})));
  const panelOpen = async () => (kind === 'chromium' ? chromiumPanelOpen() : firefoxPanelOpen());
  async function closePanel() {
    if (kind === 'firefox') return closeFirefoxSidebar(ext);
    await options.evaluate(async () => {
      const chrome = (globalThis as unknown as { chrome: Api }).chrome;
      await chrome.sidePanel!.close({ windowId: (await chrome.windows.getCurrent()).id });
    });
    await waitFor('the side panel to close', () => !chromiumPanelOpen() || undefined);
  }

  beforeAll(async () => {
    peers = await startPeers();
    ext = await launchWithExtension(kind);
    options = await ext.extensionPage();
    await ext.configure(peerSettings(peers, { behaviour: { target: 'sidepanel', fallback: 'badge' } }));
    await waitFor('the extension to connect to the simulator', () => peers.sim.state().ws > 0);
  });
  afterAll(async () => {
    record(kind, findings);
    await ext?.close();
    await peers?.close();
  });

  it('on install: Firefox opens the sidebar by itself, Chromium does not', async () => {
    const open = await panelOpen();
    findings.onInstall = open ? 'the panel is open right after install (opened by the browser)' : 'the panel stays closed after install';
    expect(open).toBe(kind === 'firefox');
    if (open) await closePanel();
  });

  it('from the background when a call rings (no user gesture): refused', async () => {
    let result: () => Promise<string | undefined>;
    if (kind === 'chromium') {
      // In the service worker itself: when the published view first shows a ringing call, try to open.
      const target = await ext.browser.waitForTarget((t) => t.type() === 'service_worker' && t.url().includes(CHROME_ID));
      const worker = (await target.worker())!;
      await worker.evaluate(() => {
        type Chrome = { storage: { onChanged: { addListener(f: (c: Record<string, { newValue?: { calls?: unknown[] } }>) => void): void } }; windows: { getLastFocused(): Promise<{ id: number }> }; sidePanel: { open(o: { windowId: number }): Promise<void> } };
        const g = globalThis as unknown as { chrome: Chrome; e2eOpen?: string };
        g.chrome.storage.onChanged.addListener((changes) => {
          if (g.e2eOpen !== undefined || !changes.view?.newValue?.calls?.length) return;
          g.e2eOpen = 'trying';
          void g.chrome.windows.getLastFocused().then((w) => g.chrome.sidePanel.open({ windowId: w.id })).then(() => (g.e2eOpen = 'ok'), (e: unknown) => (g.e2eOpen = `refused: ${String(e)}`));
        });
      });
      result = () => worker.evaluate(() => (globalThis as unknown as { e2eOpen?: string }).e2eOpen);
    } else {
      // Firefox hands extension pages the event page's window: the listener runs in the background.
      await options.evaluate(async () => {
        type Bg = { browser: { storage: { onChanged: { addListener(f: (c: Record<string, { newValue?: { calls?: unknown[] } }>) => void): void } }; sidebarAction: { open(): Promise<void> } } };
        const g = globalThis as unknown as { browser: { runtime: { getBackgroundPage(): Promise<Bg> } }; e2eOpen?: string };
        const bg = await g.browser.runtime.getBackgroundPage();
        bg.browser.storage.onChanged.addListener((changes) => {
          if (g.e2eOpen !== undefined || !changes.view?.newValue?.calls?.length) return;
          g.e2eOpen = 'trying';
          bg.browser.sidebarAction.open().then(() => (g.e2eOpen = 'ok'), (e: unknown) => (g.e2eOpen = `refused: ${String(e)}`));
        });
      });
      result = () => options.evaluate(() => (globalThis as unknown as { e2eOpen?: string }).e2eOpen);
    }
    expect(peers.sim.play(stretched('inbound-answered', 1), { speed: 20 }).ok).toBe(true);
    const outcome = await waitFor('the background to try', async () => {
      const r = await result();
      return r && r !== 'trying' ? r : undefined;
    });
    findings.backgroundOnCall = outcome;
    expect(outcome).toMatch(kind === 'chromium' ? /^refused: .*user gesture/ : /^refused: .*user input handler/);
    expect(await panelOpen()).toBe(false);
    await waitFor('the call to end', () => peers.sim.state().activeCalls.length === 0 || undefined, 20_000);
  });

  it('from a click in an extension page: allowed', async () => {
    const outcome = await inUserClick(ext, kind === 'chromium' ? 'sidepanel-open' : 'sidebar-open');
    findings.extensionPageClick = outcome;
    expect(outcome).toBe('ok');
    await waitFor('the panel to be open', async () => (await panelOpen()) || undefined);
    await closePanel();
  });

  it('from the background, asked by a message sent from a click', async () => {
    const outcome = await inUserClick(ext, 'message-open-panel');
    const open = await panelOpen();
    findings.messageFromClick = `${outcome}; panel ${open ? 'opened' : 'stayed closed'}`;
    // Chrome carries the click's gesture along runtime.sendMessage into the worker; Firefox does not.
    expect({ outcome, open }).toEqual(kind === 'chromium' ? { outcome: 'ok', open: true } : { outcome: expect.stringMatching(/^refused: /), open: false });
    if (open) await closePanel();
  });

  it('from the toolbar popup\'s "Open side panel" button: allowed', async () => {
    if (kind === 'chromium') {
      // The real toolbar popup, opened by the action button, and a trusted click in it.
      await openChromiumSidePanel(ext, CHROME_ID);
      findings.popupClick = 'ok (real toolbar popup opened with Extensions.triggerAction, trusted click on "Open side panel")';
    } else {
      // BiDi cannot open Firefox's toolbar popup; the same page in a tab, clicked for real.
      const popup = await openExtensionTab(ext, '/popup.html');
      await popup.waitForSelector('[data-testid=open-panel]');
      await popup.click('[data-testid=open-panel]');
      findings.popupClick = 'ok (popup.html in a tab — BiDi cannot open the toolbar popup — trusted click on "Open side panel")';
    }
    await waitFor('the panel to be open', async () => (await panelOpen()) || undefined);
    await closePanel();
  });

  it('by keyboard shortcut (Alt+Shift+C): not reachable from a headless test', async () => {
    // Puppeteer's key events go to the page's content, not to the browser's shortcut handling, so
    // the extension command never fires; recorded so nobody mistakes this for a product failure.
    const tab = await ext.browser.newPage();
    await tab.keyboard.down('Alt');
    await tab.keyboard.down('Shift');
    await tab.keyboard.press('KeyC');
    await tab.keyboard.up('Shift');
    await tab.keyboard.up('Alt');
    await new Promise((r) => setTimeout(r, 1500));
    const open = await panelOpen();
    findings.keyboardShortcut = open ? 'the shortcut opened the panel' : 'not reachable headless: synthetic keys go to the page, the browser\'s shortcut never fires';
    expect(open).toBe(false);
    await tab.close();
  });
});
