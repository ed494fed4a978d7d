import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { launchWithExtension, type BrowserKind } from '../harness/launch';
import { FIREFOX_DIR, FIREFOX_UUID, GECKO_ID } from '../harness/paths';

export interface Session {
  browser: Browser;
  /** Writes user settings as the options page stores them. */
  configure(settings: Record<string, unknown>): Promise<void>;
  /** The post-call outbox as stored (`storage.local.outbox`): one status per record. */
  storedOutbox(): Promise<string[]>;
  close(): Promise<void>;
}

/**
 * Starts the browser on a profile that outlives it. Chromium loads the unpacked build again and
 * keeps the extension's storage by itself. Firefox installs the build as a temporary add-on,
 * which it uninstalls at shutdown; `keepStorageOnUninstall` keeps its storage.local (as a real,
 * installed add-on's is kept), and the pinned UUID gives the reinstalled add-on the same origin.
 */
export async function startOnProfile(kind: BrowserKind, profile: string): Promise<Session> {
  let browser: Browser;
  let find: () => Promise<Page>;
  if (kind === 'chromium') {
    const ext = await launchWithExtension('chromium', { profile });
    browser = ext.browser;
    find = () => ext.extensionPage();
  } else {
    browser = await puppeteer.launch({
      browser: 'firefox',
      executablePath: '/usr/bin/firefox-esr',
      headless: true,
      userDataDir: profile,
      extraPrefsFirefox: {
        'extensions.webextensions.uuids': JSON.stringify({ [GECKO_ID]: FIREFOX_UUID }),
        'extensions.webextensions.keepStorageOnUninstall': true,
        'extensions.webextensions.keepUuidOnUninstall': true,
        'browser.startup.homepage_override.mstone': 'ignore',
        'datareporting.policy.dataSubmissionEnabled': false,
      },
    });
    await browser.installExtension(FIREFOX_DIR);
    const origin = `moz-extension://${FIREFOX_UUID}`;
    find = async () => {
      const deadline = Date.now() + 15_000;
      while (Date.now() < deadline) {
        for (const page of await browser.pages()) {
          const href = await page.evaluate(() => location.href).catch(() => '');
          if (href.startsWith(origin)) return page;
        }
        await new Promise((r) => setTimeout(r, 200));
      }
      throw new Error('Firefox: no extension page appeared');
    };
  }
  return {
    browser,
    async configure(settings) {
      await (await find()).evaluate(async (v) => {
        type Api = { storage: { local: { set(v: object): Promise<void> } } };
        const g = globalThis as unknown as { browser?: Api; chrome: Api };
        await (g.browser ?? g.chrome).storage.local.set({ settings: v, settingsVersion: 1 });
      }, settings);
    },
    async storedOutbox() {
      return (await find()).evaluate(async () => {
        type Api = { storage: { local: { get(k: string): Promise<Record<string, unknown>> } } };
        const g = globalThis as unknown as { browser?: Api; chrome: Api };
        const stored = (await (g.browser ?? g.chrome).storage.local.get('outbox')).outbox;
        return Array.isArray(stored) ? stored.map((r: { status?: string }) => String(r.status)) : [];
      });
    },
    close: () => browser.close().catch(() => undefined),
  };
}
