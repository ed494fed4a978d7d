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
