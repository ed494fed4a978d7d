import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { assertInLane } from './lanes';
import { policyLauncher } from './policy';
import { CHROME_DIR, CHROME_ID, CHROMIUM_FLAGS, FIREFOX_DIR, FIREFOX_UUID, GECKO_ID } from './paths';

export type BrowserKind = 'chromium' | 'firefox';

export interface ExtensionBrowser {
  kind: BrowserKind;
  browser: Browser;
  /** `chrome-extension://<id>` or `moz-extension://<uuid>`. */
  origin: string;
  /** An extension page to run `browser.*`/`chrome.*` calls in (the options page). */
  extensionPage(): Promise<Page>;
  /** Writes user settings the way the options page stores them. */
  configure(settings: Record<string, unknown>): Promise<void>;
  /** One `storage.local` value of the extension, as stored. */
  stored(key: string): Promise<unknown>;
  close(): Promise<void>;
}

/**
 * Starts a real browser with the built extension in a fresh profile. Chromium loads it unpacked
 * from the command line; Firefox installs it as a temporary add-on over WebDriver BiDi.
 *
 * `autoGrantHosts` (Firefox only) grants host access asked for with permissions.request().
 * `profile` reuses a profile that outlives the browser (it is then not deleted). `keepStorage`
 * matters for Firefox only: a temporary add-on is uninstalled at shutdown and its storage with it;
 * these prefs keep storage and UUID, as an installed add-on's are kept across restarts. `policy`
 * (managed settings) is read by this browser alone from the real policy path (harness/policy.ts).
 * `firefoxPrefs` adds prefs (Firefox has no runtime colour-scheme emulation over BiDi). `dir` loads
 * another build (the previous release, for the update test).
 */
export async function launchWithExtension(
  kind: BrowserKind,
  opts: { profile?: string; keepStorage?: boolean; policy?: object; firefoxPrefs?: Record<string, unknown>; dir?: string; autoGrantHosts?: boolean } = {},
): Promise<ExtensionBrowser> {
  assertInLane(kind);
  const dir = opts.dir ?? (kind === 'chromium' ? CHROME_DIR : FIREFOX_DIR);
  if (!existsSync(`${dir}/manifest.json`)) throw new Error(`${dir} is missing: run "npm run build" first`);
  const profile = opts.profile ?? mkdtempSync(join(tmpdir(), `ctipop-${kind}-`));
  const ownProfile = !opts.profile;
  // The policy's launcher lives beside the profile (not inside: Firefox wants an empty profile folder).
  const policyDir = opts.policy ? mkdtempSync(join(tmpdir(), `ctipop-policy-${kind}-`)) : undefined;
  const launcher = opts.policy && policyDir ? policyLauncher(kind, opts.policy, policyDir) : undefined;
  let browser: Browser;
  let origin: string;
  if (kind === 'chromium') {
    browser = await puppeteer.launch({
      executablePath: launcher ?? '/usr/bin/chromium',
      headless: true,
      pipe: true,
      userDataDir: profile,
      ignoreDefaultArgs: ['--disable-extensions'],
      // Extensions.loadUnpacked over CDP (ExtensionBrowser.browser.installExtension) needs this flag.
      args: [...CHROMIUM_FLAGS, `--disable-extensions-except=${dir}`, `--load-extension=${dir}`, ...(opts.dir ? ['--enable-unsafe-extension-debugging'] : [])],
    });
    origin = `chrome-extension://${CHROME_ID}`;
  } else {
    browser = await puppeteer.launch({
      browser: 'firefox',
      executablePath: launcher ?? '/usr/bin/firefox-esr',
      headless: true,
      userDataDir: profile,
      extraPrefsFirefox: {
        'extensions.webextensions.uuids': JSON.stringify({ [GECKO_ID]: FIREFOX_UUID }),
        // The options tab opened on install must not be blocked by the first-run pages.
        'browser.startup.homepage_override.mstone': 'ignore',
        'datareporting.policy.dataSubmissionEnabled': false,
        // Firefox answers permissions.request() itself instead of prompting (no such switch in Chromium).
        ...(opts.autoGrantHosts && { 'extensions.webextOptionalPermissionPrompts': false }),
        ...(opts.keepStorage && { 'extensions.webextensions.keepStorageOnUninstall': true, 'extensions.webextensions.keepUuidOnUninstall': true }),
        ...opts.firefoxPrefs,
      },
    });
    await browser.installExtension(dir);
    origin = `moz-extension://${FIREFOX_UUID}`;
  }

  async function extensionPage(): Promise<Page> {
    if (kind === 'chromium') {
      const existing = (await browser.pages()).find((p) => p.url().startsWith(origin));
      if (existing) return existing;
      const page = await browser.newPage();
      await page.goto(`${origin}/options.html`);
      return page;
    }
    // Firefox will not navigate to moz-extension URLs over BiDi, and reports extension tabs as
    // about:blank; the options tab the extension opens on install is found by its real location.
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      for (const page of await browser.pages()) {
        const href = await page.evaluate(() => location.href).catch(() => '');
        if (href.startsWith(origin)) return page;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error('Firefox: the options page the extension opens on install did not appear');
  }

  return {
    kind,
    browser,
    origin,
    extensionPage,
    async configure(settings) {
      const page = await extensionPage();
      await page.evaluate(async (s) => {
        type Api = { storage: { local: { set(v: object): Promise<void> } } };
        const g = globalThis as unknown as { browser?: Api; chrome: Api };
        await (g.browser ?? g.chrome).storage.local.set({ settings: s, settingsVersion: 1 });
      }, settings);
    },
    async stored(key) {
      const page = await extensionPage();
      return page.evaluate(async (k) => {
        type Api = { storage: { local: { get(k: string): Promise<Record<string, unknown>> } } };
        const g = globalThis as unknown as { browser?: Api; chrome: Api };
        return (await (g.browser ?? g.chrome).storage.local.get(k))[k];
      }, key);
    },
    async close() {
      await browser.close().catch(() => undefined);
      if (ownProfile) rmSync(profile, { recursive: true, force: true });
      if (policyDir) rmSync(policyDir, { recursive: true, force: true });
    },
  };
}

/** Polls `probe` until it returns a value, or fails with `what` after `ms`. */
export async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
