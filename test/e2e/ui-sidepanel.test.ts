import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Scenario } from '../sim/scenario';
import { launchWithExtension, waitFor, type BrowserKind, type ExtensionBrowser } from './harness/launch';
import { CHROME_ID } from './harness/paths';
import { peerSettings, startPeers, type Peers } from './harness/peers';
import { openChromiumSidePanel, openExtensionTab, screenshot, waitForText } from './harness/ui-pages';
import { BROWSERS } from './harness/lanes';
import { setViewport } from './harness/viewport';

const HOSTILE_NAME = 'Zoë Müller-Łukasiewicz 東京 & Co #1 %%calleridnumber%% 100%\r\nX-Injected: yes \u202Egnp.exe <script>alert(1)</script>';
const SPEED = 20;

/** One inbound call to PJSIP/100 that rings for `ringMs` of real time at SPEED, then is answered and ends. */
function ringingCall(id: string, from: { number: string; name: string }, ringMs: number, talkMs = 1000): Scenario {
  return {
    name: `ui-${id}`,
    description: 'side panel e2e',
    calls: [{
      id, from, to: { number: '+15559876000', name: '' }, accountcode: '',
      steps: [
        { at: 0, do: 'offer' },
        { at: 100, do: 'ring', endpoints: ['PJSIP/100'] },
        { at: ringMs * SPEED, do: 'answer', endpoint: 'PJSIP/100' },
        { at: (ringMs + talkMs) * SPEED, do: 'hangup', by: 'caller', cause: 16 },
      ],
    }],
  };
}

/**
 * What people see in the side panel while a call rings and after it ends. Chromium: the real side
 * panel, opened from the toolbar popup by a trusted click. Firefox: BiDi cannot reach the sidebar's
 * document, so the same page is opened in a tab (Firefox opens the real sidebar itself on install,
 * so the background treats the panel as open either way).
 */
describe.each(BROWSERS)('side panel in %s', (kind) => {
  let peers: Peers;
  let ext: ExtensionBrowser;
  let panel: Page;

  beforeAll(async () => {
    peers = await startPeers();
    ext = await launchWithExtension(kind);
    await ext.configure(peerSettings(peers, {
      cti: {
        // The demo CRM finds the contact by these parameter names, so its page shows who calls.
        popupUrl: `${peers.crm.url}/pop?calleridnumber_e164=%%calleridnumber_e164%%&name=%%calleridname%%&token=pop-s3cret`,
        inboundUrl: `${peers.crm.url}/cti/lookup?calleridnumber=%%calleridnumber%%&calleridnumber_e164=%%calleridnumber_e164%%`,
        postCallUrl: `${peers.crm.url}/postcall?uniqueid=%%uniqueid%%&disposition=%%disposition%%&billsec=%%billsec%%`,
      },
      behaviour: { target: 'sidepanel' },
    }));
    await waitFor('the extension to connect to the simulator', () => peers.sim.state().ws > 0);
    panel = kind === 'chromium' ? await openChromiumSidePanel(ext, CHROME_ID) : await openExtensionTab(ext, '/sidepanel.html');
    await panel.waitForSelector('[data-testid=no-calls]');
  });
  afterAll(async () => {
    await ext?.close();
    await peers?.close();
  });

  it('shows a ringing hostile caller ID as plain text, with the lookup and its timing', async () => {
    expect(peers.sim.play(ringingCall('hostile', { number: '+15550001111', name: HOSTILE_NAME }, 4000), { speed: SPEED }).ok).toBe(true);
    // The lookup's outcome, not the lookup under way: the view may show it pending first.
    await panel.waitForSelector('[data-testid=call-card][data-state=ringing] [data-testid=call-lookup]:not([data-outcome=pending])');
    const card = await panel.$eval('[data-testid=call-card]', (el) => ({
      name: el.querySelector('[data-testid=call-name]')?.textContent ?? '',
      nameChildren: [...(el.querySelector('[data-testid=call-name]')?.children ?? [])].map((c) => `${c.tagName}:${c.children.length}`),
      numberChildren: [...(el.querySelector('[data-testid=call-number]')?.children ?? [])].map((c) => c.tagName),
      number: el.querySelector('[data-testid=call-number]')?.textContent ?? '',
      injected: el.querySelectorAll('script, img').length,
      text: el.textContent ?? '',
    }));
    // The name is text: every character of the markup is shown, no element came out of it.
    expect(card.name).toContain('<script>alert(1)</script>');
    expect(card.name).toContain('Zoë Müller-Łukasiewicz 東京 & Co #1 %%calleridnumber%% 100%');
    // …isolated in one <bdi> (nothing inside it), so a right-to-left name cannot reorder what is around it.
    expect(card.nameChildren).toEqual(['BDI:0']);
    expect(card.numberChildren).toEqual(['BDI']);
    expect(card.injected).toBe(0);
    // Line breaks and the right-to-left override must not reach the screen: U+202E would show
    // "gnp.exe" as "exe.png".
    expect(card.name).not.toMatch(/[\r\n\u202E]/);
    expect(card.number).toBe('+15550001111');

    const lookup = await panel.$eval('[data-testid=call-lookup]', (el) => ({
      outcome: el.getAttribute('data-outcome'),
      badge: el.querySelector('.badge')?.textContent ?? '',
      timing: el.querySelector('[data-testid=lookup-ms]')?.textContent ?? '',
      text: el.textContent ?? '',
    }));
    expect(lookup.outcome).toBe('ok');
    expect(lookup.badge).toBe('OK 200');
    expect(lookup.timing).toMatch(/^\d+ ms$/);
    expect(lookup.text).toContain(`${peers.crm.url}/cti/lookup?calleridnumber=%2B15550001111`);
    const crmLookup = peers.crm.log().requests.find((r) => r.kind === 'lookup');
    expect(crmLookup?.params.calleridnumber_e164).toBe('+15550001111');

    // The panel is the pop target and open: it frames the pop-up URL.
    const frame = await panel.waitForSelector('[data-testid=pop-frame] iframe');
    const attributes = await frame!.evaluate((f) => ({ src: (f as HTMLIFrameElement).src, referrer: f.getAttribute('referrerpolicy'), sandbox: f.getAttribute('sandbox') }));
    expect(attributes.src).toContain(`${peers.crm.url}/pop?`);
    expect(attributes.src).toContain('token=pop-s3cret');
    // No referrer, no downloads from a page a caller's call opened.
    expect(attributes.referrer).toBe('no-referrer');
    expect(attributes.sandbox?.split(' ')).not.toContain('allow-downloads');
    // The frame's header shows the address as every other shown URL: credentials redacted.
    const shownUrl = await panel.$eval('[data-testid=pop-url]', (e) => e.textContent ?? '');
    expect(shownUrl).toContain('token=***');
    expect(shownUrl).not.toContain('pop-s3cret');
    const popRequest = await waitFor('the framed pop at the CRM', () => peers.crm.log().requests.find((r) => r.kind === 'pop'));
    expect(popRequest.headers.referer).toBeUndefined();
    await waitFor('the hostile call to end', () => peers.sim.state().activeCalls.length === 0 || undefined, 20_000);
  });

  it("shows what the CRM's reply changed, screenshots in light and dark", async () => {
    // A side-panel-sized tab for the pictures (the real panel's size is the browser's business),
    // opened before the call: opened while it rang, on a loaded machine the call had stopped
    // ringing by the time the tab showed it.
    const shot = await openExtensionTab(ext, '/sidepanel.html');
    await setViewport(shot, { width: 400, height: 900 });
    expect(peers.sim.play(ringingCall('carol', { number: '+15551234567', name: 'Carol Customer' }, 5000), { speed: SPEED }).ok).toBe(true);
    await panel.waitForSelector('[data-testid=call-card][data-state=ringing] [data-testid=changes]');
    const changes = await panel.$$eval('[data-testid=call-card][data-state=ringing] [data-testid=changes] li', (els) => els.map((e) => e.textContent));
    expect(changes).toContain('calleridname: Carol Customer → ACME Inc OVRDUE');
    expect(changes).toContain('accountcode: ∅ → ACME-1001');
    expect(await panel.$eval('[data-testid=call-card][data-state=ringing] [data-testid=call-name]', (e) => e.textContent)).toBe('ACME Inc OVRDUE');

    await shot.waitForSelector('[data-testid=call-card][data-state=ringing] [data-testid=changes]');
    await new Promise((r) => setTimeout(r, 500));
    await screenshot(shot, `sidepanel-${kind}-light`);
    if (kind === 'chromium') {
      await shot.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: 'dark' }]);
      await new Promise((r) => setTimeout(r, 200));
      await screenshot(shot, `sidepanel-${kind}-dark`);
    }
    await shot.close();
  });

  it('lists ended calls in the history with the post-call delivery state', async () => {
    await waitFor('both calls in the history', async () => ((await panel.$$('[data-testid=history-row]')).length >= 2 ? true : undefined), 20_000);
    const rows = await panel.$$eval('[data-testid=history-row]', (els) => els.map((e) => ({
      outcome: e.getAttribute('data-outcome'),
      text: e.textContent ?? '',
      postcall: e.querySelector('[data-testid=history-postcall]')?.getAttribute('data-postcall'),
    })));
    expect(rows[0]?.text).toContain('ACME Inc OVRDUE');
    expect(rows[1]?.text).toContain('<script>alert(1)</script>');
    expect(await panel.$$eval('[data-testid=history-row] .history-name', (els) => els.map((e) => [...e.children].map((c) => c.tagName).join()))).toEqual(['BDI', 'BDI']);
    expect(rows.map((r) => r.outcome)).toEqual(['answered', 'answered']);
    await waitFor('both post-call records at the CRM', () => (peers.crm.log().requests.filter((r) => r.kind === 'postcall').length >= 2 ? true : undefined));
    await waitForText(panel, '[data-testid=history-postcall]', /./);
    await waitFor('the history to show delivery', async () => {
      const states = await panel.$$eval('[data-testid=history-postcall]', (els) => els.map((e) => e.getAttribute('data-postcall')));
      return states.length === 2 && states.every((s) => s === 'delivered') ? true : undefined;
    });
    const shot = await openExtensionTab(ext, '/sidepanel.html');
    await setViewport(shot, { width: 400, height: 900 });
    await shot.waitForSelector('[data-testid=history-postcall][data-postcall=delivered]');
    await shot.$eval('#history-heading', (h) => h.scrollIntoView());
    await screenshot(shot, `sidepanel-history-${kind}`);
    await shot.close();
    // Searching by number finds one call.
    await panel.type('[data-testid=history-search]', '5551234');
    await waitFor('the search to filter', async () => ((await panel.$$('[data-testid=history-row]')).length === 1 ? true : undefined));
    expect(await panel.$eval('[data-testid=history-row]', (e) => e.textContent)).toContain('ACME Inc OVRDUE');
  });
});
