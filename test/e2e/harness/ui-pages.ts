import { mkdirSync } from 'node:fs';
import type { Page } from 'puppeteer-core';
import { loadScenario } from '../../sim/scenario-files';
import type { Scenario } from '../../sim/scenario';
import { waitFor, type ExtensionBrowser } from './launch';
import { OUT_DIR } from './paths';

/**
 * Opens an extension page (`/sidepanel.html`, `/popup.html`, …) in a new tab. Chromium navigates
 * to it; Firefox will not navigate to moz-extension URLs over BiDi, so the extension opens the tab
 * itself and the page is found by its real location (BiDi reports it as about:blank).
 */
export async function openExtensionTab(ext: ExtensionBrowser, path: string): Promise<Page> {
  const url = `${ext.origin}${path}`;
  if (ext.kind === 'chromium') {
    const page = await ext.browser.newPage();
    await page.goto(url);
    return page;
  }
  const known = new Set(await ext.browser.pages());
  const host = await ext.extensionPage();
  await host.evaluate((u) => (globalThis as unknown as { browser: { tabs: { create(o: object): Promise<unknown> } } }).browser.tabs.create({ url: u }), url);
  return waitFor(`the tab ${path}`, async () => {
    for (const page of await ext.browser.pages()) {
      if (known.has(page)) continue;
      const href = await page.evaluate(() => location.href).catch(() => '');
      if (href === url) return page;
    }
    return undefined;
  });
}

/** Saves a screenshot of `page` as test/e2e/out/<name>.png and returns the path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(OUT_DIR, { recursive: true });
  const path = `${OUT_DIR}/${name}.png`;
  // Headless Chromium paints no frame for a tab behind another: its screenshot would wait for the
  // protocol timeout (seen: ui-options hung there after another tab was opened in the same browser).
  await page.bringToFront();
  await page.screenshot({ path });
  return path;
}

/**
 * A scenario file with its timeline stretched by `factor`, so a test playing it fast (speed 20+)
 * still gets a ringing phase long enough to look at. Returns the scenario with a fresh call id, so
 * the same file can be played twice in one simulator run.
 */
export function stretched(name: string, factor: number, idSuffix = ''): Scenario {
  const loaded = loadScenario(name);
  if (!loaded.ok) throw new Error(loaded.error);
  return {
    ...loaded.value,
    calls: loaded.value.calls.map((c) => ({ ...c, id: `${c.id}${idSuffix}`, steps: c.steps.map((s) => ({ ...s, at: s.at * factor })) })),
  };
}

/** Resolves when `page` shows `selector` with text matching `re`; returns that text. */
export async function waitForText(page: Page, selector: string, re: RegExp, ms = 15_000): Promise<string> {
  return waitFor(`${selector} to match ${re}`, async () => {
    const texts = await page.$$eval(selector, (els) => els.map((e) => e.textContent ?? '')).catch(() => [] as string[]);
    return texts.find((t) => re.test(t));
  }, ms);
}

/**
 * Chromium only: opens the real side panel the way a person does — the toolbar button opens the
 * popup (CDP `Extensions.triggerAction` on a tab), and a trusted click on its "Open side panel"
 * button is the user gesture `chrome.sidePanel.open` needs. Returns the side panel's page.
 */
export async function openChromiumSidePanel(ext: ExtensionBrowser, extensionId: string): Promise<Page> {
  const tab = await ext.browser.newPage();
  const cdp = await ext.browser.target().createCDPSession();
  // Puppeteer keeps the tab target's id privately; Extensions.triggerAction wants exactly that id.
  const tabId = (tab as unknown as { _tabId: string })._tabId;
  await cdp.send('Extensions.triggerAction' as never, { id: extensionId, targetId: tabId } as never);
  await cdp.detach();
  const popupTarget = await ext.browser.waitForTarget((t) => t.url().endsWith('/popup.html'), { timeout: 10_000 });
  const popup = await popupTarget.asPage();
  await popup.waitForSelector('[data-testid=open-panel]');
  // The popup learns its window id asynchronously; open() must then run inside the click.
  await new Promise((r) => setTimeout(r, 300));
  await popup.click('[data-testid=open-panel]');
  const panelTarget = await ext.browser.waitForTarget((t) => t.url().endsWith('/sidepanel.html'), { timeout: 10_000 });
  return panelTarget.asPage();
}

/** What a trusted click in an extension page can try (see inUserClick). */
export type ClickAction = 'sidebar-open' | 'sidebar-close' | 'sidepanel-open' | 'message-open-panel';

/**
 * Runs `action` inside a trusted click in the extension's options page: the test adds a button
 * and clicks it with real input, the "user gesture" / "user input handler" that sidePanel.open and
 * sidebarAction.open/close insist on. Resolves with "ok" or "refused: <the browser's words>".
 * `message-open-panel` asks the background to open the panel (the product's openCallPage
 * message), to learn whether the gesture survives the trip through runtime.sendMessage.
 */
export async function inUserClick(ext: ExtensionBrowser, action: ClickAction): Promise<string> {
  const page = await ext.extensionPage();
  // A person clicks a page they see: headless Chromium draws no frame for a tab behind another,
  // and input and evaluation there can wait until the protocol times out (seen once, 180 s).
  await page.bringToFront();
  await page.evaluate(async (what) => {
    type Api = {
      sidebarAction?: { open(): Promise<void>; close(): Promise<void> };
      sidePanel?: { open(o: { windowId: number }): Promise<void> };
      windows: { getCurrent(): Promise<{ id: number }> };
      runtime: { sendMessage(m: object): Promise<{ ok: boolean; value?: { ok: boolean }; error?: string }> };
    };
    const g = globalThis as unknown as { browser?: Api; chrome?: Api };
    const api = (g.browser ?? g.chrome)!;
    // Known before the click, so the open() call can run synchronously inside it.
    const windowId = (await api.windows.getCurrent()).id;
    const button = document.createElement('button');
    button.id = 'e2e-user-click';
    button.textContent = what;
    button.style.cssText = 'position:fixed;top:0;left:0;z-index:99999;width:80px;height:40px';
    button.onclick = () => {
      const call =
        what === 'sidebar-open' ? api.sidebarAction!.open()
        : what === 'sidebar-close' ? api.sidebarAction!.close()
        : what === 'sidepanel-open' ? api.sidePanel!.open({ windowId })
        : api.runtime.sendMessage({ ctipop: 1, name: 'openCallPage', req: { callId: 'none', where: 'panel' } }).then((r) => {
            if (!r.ok || !r.value?.ok) throw new Error(r.error ?? 'the background could not open the panel');
          });
      void call.then(() => (button.dataset.result = 'ok'), (e: unknown) => (button.dataset.result = `refused: ${String(e)}`));
    };
    document.body.append(button);
  }, action);
  await page.click('#e2e-user-click');
  const result = await waitFor('the click handler to finish', () => page.$eval('#e2e-user-click', (b) => (b as HTMLElement).dataset.result));
  await page.$eval('#e2e-user-click', (b) => b.remove());
  return result;
}

/** Firefox opens an add-on's sidebar on install; tests of the "panel closed" case close it first. */
export async function closeFirefoxSidebar(ext: ExtensionBrowser): Promise<void> {
  const result = await inUserClick(ext, 'sidebar-close');
  if (result !== 'ok') throw new Error(`Firefox would not close the sidebar: ${result}`);
  // The panel's pagehide tells the background it is gone; wait until the background agrees.
  const page = await ext.extensionPage();
  await waitFor('the background to see the panel closed', () => page.evaluate(async () => {
    type Api = { storage: { session: { get(k: string): Promise<Record<string, unknown>> } } };
    const g = globalThis as unknown as { browser?: Api; chrome: Api };
    return !(await (g.browser ?? g.chrome).storage.session.get('panelSeen')).panelSeen || undefined;
  }));
}
