import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHROME_DIR } from './paths';
import { waitFor, type ExtensionBrowser } from './launch';

/**
 * Host access to `pattern`, asked for from an extension page in a click, as the options page's
 * Save does. Firefox answers without a prompt when launched with `autoGrantHosts`; Chromium shows
 * its prompt, which nothing in a headless test can accept, so there it resolves false.
 */
export async function grantHost(ext: ExtensionBrowser, pattern: string): Promise<boolean> {
  const page = await ext.extensionPage();
  await page.evaluate((o) => {
    type Api = { permissions: { request(p: object): Promise<boolean> } };
    const g = globalThis as unknown as { browser?: Api; chrome: Api; granted?: boolean };
    const button = document.createElement('button');
    button.id = 'test-grant';
    button.textContent = 'grant';
    button.onclick = () => void (g.browser ?? g.chrome).permissions.request({ origins: [o] }).then((r) => (g.granted = r), () => (g.granted = false));
    document.body.prepend(button);
  }, pattern);
  await page.click('#test-grant');
  return waitFor('the answer to the host permission request', () => page.evaluate(() => (globalThis as { granted?: boolean }).granted), 5000);
}

/**
 * A copy of the Chromium build whose manifest lists `pattern` under host_permissions, which
 * Chromium grants on install: the state of a user who accepted the options page's prompt, for
 * tests that Chromium's headless prompt would otherwise block. Load it with launch's `dir`.
 */
export function chromiumBuildWithHost(pattern: string): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'ctipop-granted-')), 'chrome-mv3');
  cpSync(CHROME_DIR, dir, { recursive: true });
  const manifest = JSON.parse(readFileSync(`${dir}/manifest.json`, 'utf8')) as { host_permissions?: string[] };
  manifest.host_permissions = [...(manifest.host_permissions ?? []), pattern];
  writeFileSync(`${dir}/manifest.json`, JSON.stringify(manifest));
  return dir;
}

/** Whether the extension holds host access to `pattern`, asked of an extension page. */
export async function hasHost(ext: ExtensionBrowser, pattern: string): Promise<boolean> {
  const page = await ext.extensionPage();
  return page.evaluate((o) => {
    type Api = { permissions: { contains(p: object): Promise<boolean> } };
    const g = globalThis as unknown as { browser?: Api; chrome: Api };
    return (g.browser ?? g.chrome).permissions.contains({ origins: [o] });
  }, pattern);
}
