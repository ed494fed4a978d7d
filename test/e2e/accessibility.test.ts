import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Scenario } from '../sim/scenario';
import { axeViolations } from './harness/axe';
import { inLane } from './harness/lanes';
import { launchWithExtension, waitFor, type BrowserKind, type ExtensionBrowser } from './harness/launch';
import { peerSettings, startPeers, type Peers } from './harness/peers';
import { shoot, writeStoreShot } from './harness/store-shots';
import { openExtensionTab, waitForText } from './harness/ui-pages';
import { setViewport } from './harness/viewport';

type Scheme = 'light' | 'dark';
const SPEED = 20;

/**
 * One session per browser (and colour scheme where the browser cannot switch it at runtime)
 * walks the real states — idle, a ringing call with its lookup, in a call, history, a dead
 * letter, the popup, the options page with the test bench's results — and runs axe-core on each
 * in light and dark: 0 violations. The same session checks the keyboard path with visible focus,
 * the ringing call's single announcement, and (Chromium) takes the store screenshots.
 */
const RUNS: { name: string; kind: BrowserKind; schemes: Scheme[]; prefs?: Record<string, unknown> }[] = [
  { name: 'chromium', kind: 'chromium', schemes: ['light', 'dark'] },
  // Firefox takes its colour scheme from a pref read at start (0 dark, 1 light).
  { name: 'firefox light', kind: 'firefox', schemes: ['light'], prefs: { 'layout.css.prefers-color-scheme.content-override': 1 } },
  { name: 'firefox dark', kind: 'firefox', schemes: ['dark'], prefs: { 'layout.css.prefers-color-scheme.content-override': 0 } },
];

/** An inbound call to PJSIP/100: rings `ringS` s, talks `talkS` s (real time at SPEED). */
function inbound(id: string, from: { number: string; name: string }, ringS: number, talkS: number) {
  return {
    id, from, to: { number: '+15559876000', name: '' }, accountcode: '',
    steps: [
      { at: 0, do: 'offer' as const },
      { at: 100, do: 'ring' as const, endpoints: ['PJSIP/100'] },
      { at: ringS * 1000 * SPEED, do: 'answer' as const, endpoint: 'PJSIP/100' },
      { at: (ringS + talkS) * 1000 * SPEED, do: 'hangup' as const, by: 'caller' as const, cause: 16 },
    ],
  };
}
const scenario = (name: string, calls: ReturnType<typeof inbound>[]): Scenario => ({ name, description: 'accessibility e2e', calls });

describe.each(RUNS.filter((r) => inLane(r.kind)))('accessibility in $name', ({ kind, schemes, prefs }) => {
  let peers: Peers;
  let ext: ExtensionBrowser;
  let panel: Page;
  let options: Page;
  const shots = kind === 'chromium';

  /** axe on `page` in every scheme of this run; findings are labelled with state and scheme. */
  async function audit(page: Page, state: string, selector?: string): Promise<string[]> {
    const found: string[] = [];
    for (const scheme of schemes) {
      if (kind === 'chromium') await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: scheme }]);
      const dark = await page.evaluate(() => matchMedia('(prefers-color-scheme: dark)').matches);
      expect(dark, `${state}: the page is in ${scheme} mode`).toBe(scheme === 'dark');
      for (const v of await axeViolations(page, selector)) found.push(`${state} (${scheme}): ${v.rule} [${v.impact}] ${v.targets.join(' ')} — ${v.summary}`);
    }
    if (kind === 'chromium') await page.emulateMediaFeatures([]);
    return found;
  }

  /**
   * Presses Tab until `target` has focus, checking at every stop that the focused element shows a
   * focus ring of at least 2 px. Returns the elements passed, for the failure message.
   */
  async function tabTo(page: Page, target: string, max = 40): Promise<string[]> {
    const passed: string[] = [];
    for (let i = 0; i < max; i++) {
      await page.keyboard.press('Tab');
      const focus = await page.evaluate((sel) => {
        const el = document.activeElement as HTMLElement | null;
        if (!el || el === document.body) return { name: 'body', ring: true, hit: false };
        const style = getComputedStyle(el);
        const ring = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
        return { name: `${el.tagName.toLowerCase()}${el.dataset.testid ? `[${el.dataset.testid}]` : ''}`, ring, hit: el.matches(sel) };
      }, target);
      passed.push(focus.name);
      expect(focus.ring, `visible focus on ${focus.name} (after ${passed.join(' → ')})`).toBe(true);
      if (focus.hit) return passed;
    }
    throw new Error(`${target} not reached by Tab: ${passed.join(' → ')}`);
  }

  beforeAll(async () => {
    peers = await startPeers();
    ext = await launchWithExtension(kind, { firefoxPrefs: prefs });
    await ext.configure(peerSettings(peers, {
      cti: {
        popupUrl: `${peers.crm.url}/pop?calleridnumber_e164=%%calleridnumber_e164%%&name=%%calleridname%%`,
        inboundUrl: `${peers.crm.url}/cti/lookup?calleridnumber=%%calleridnumber%%&calleridnumber_e164=%%calleridnumber_e164%%`,
        postCallUrl: `${peers.crm.url}/postcall?uniqueid=%%uniqueid%%&disposition=%%disposition%%&billsec=%%billsec%%`,
      },
      behaviour: { target: 'sidepanel' },
    }));
    await waitFor('the extension to connect to the simulator', () => peers.sim.state().ws > 0);
    options = await ext.extensionPage();
    panel = await openExtensionTab(ext, '/sidepanel.html');
    await setViewport(panel, { width: 400, height: 800 });
    await panel.waitForSelector('[data-testid=no-calls]');
  });
  afterAll(async () => {
    await ext?.close();
    await peers?.close();
  });

  it('side panel: idle, ringing (announced once), in a call, history and dead letters', async () => {
    await waitForText(panel, '[data-testid=connection-state]', /Connected/);
    const findings = await audit(panel, 'side panel idle');

    // Calls are not stepped by the test, so each state lasts long enough to audit under load:
    // Bob's call ends at once (history; its record is refused, a dead letter), Dan talks for ten
    // minutes (in a call), then Carol rings for ten minutes (ringing, with her lookup): longer than the test.
    await peers.crm.setMode({ fail: { status: 400 }, paths: ['/postcall'] });
    expect(peers.sim.play(scenario('a11y-earlier', [
      inbound('bob', { number: '+15550102030', name: 'Bob Buyer' }, 0.3, 0.5),
      inbound('dan', { number: '+15550405060', name: 'Dan Dealer' }, 0.5, 600),
    ]), { speed: SPEED }).ok).toBe(true);
    await panel.waitForSelector('[data-testid=dead-letter]', { timeout: 20_000 });
    await panel.waitForSelector('[data-testid=history-row]');
    await panel.waitForSelector('[data-testid=call-card][data-state=answered]');
    findings.push(...await audit(panel, 'side panel in a call, history and dead letters'));

    // Everything the live region says from here on.
    await panel.$eval('[data-testid=call-announcer]', (el) => {
      const said: string[] = [];
      (globalThis as unknown as { said: string[] }).said = said;
      new MutationObserver(() => said.push(el.textContent ?? '')).observe(el, { subtree: true, childList: true, characterData: true });
    });
    expect(peers.sim.play(scenario('a11y-carol', [inbound('carol', { number: '+15551234567', name: 'Carol Customer' }, 600, 1)]), { speed: SPEED }).ok).toBe(true);
    await panel.waitForSelector('[data-testid=call-card][data-state=ringing] [data-testid=call-lookup]');
    findings.push(...await audit(panel, 'side panel ringing'));
    if (shots) {
      const frame = await panel.waitForSelector('[data-testid=pop-frame] iframe');
      const crm = await ext.browser.newPage();
      await crm.goto(await frame!.evaluate((f) => (f as HTMLIFrameElement).src));
      writeStoreShot('1-ringing-call', [{ png: await shoot(crm, 880), width: 880 }, { png: await shoot(panel, 400), width: 400 }]);
      await panel.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: 'dark' }]);
      await options.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: 'dark' }]);
      await options.evaluate(() => window.scrollTo(0, 0));
      writeStoreShot('4-dark-mode', [{ png: await shoot(options, 880), width: 880 }, { png: await shoot(panel, 400), width: 400 }]);
      await panel.emulateMediaFeatures([]);
      await options.emulateMediaFeatures([]);
      await panel.$eval('#history-heading', (h) => h.scrollIntoView());
      writeStoreShot('2-history', [{ png: await shoot(crm, 880), width: 880 }, { png: await shoot(panel, 400), width: 400 }]);
      await panel.evaluate(() => window.scrollTo(0, 0));
      await crm.close();
    }
    // Seconds tick on the card while it rings; the announcement is made once.
    await new Promise((r) => setTimeout(r, 2500));
    expect(await panel.$eval('[data-testid=call-card][data-state=ringing]', (e) => e.getAttribute('data-state'))).toBe('ringing');
    const said = (await panel.evaluate(() => (globalThis as unknown as { said: string[] }).said)).filter((s) => s.trim());
    expect(said).toHaveLength(1);
    expect(said[0]).toMatch(/^Incoming call: .*\+15551234567/);
    expect(findings).toEqual([]);

    // By keyboard alone: the CRM is back, the dead letter is retried with Tab and Enter.
    await peers.crm.setMode({ fail: null, paths: null });
    const refused = peers.crm.log().requests.filter((r) => r.kind === 'postcall').length;
    await panel.bringToFront();
    await panel.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await tabTo(panel, '[data-testid=dead-letter-retry]');
    await panel.keyboard.press('Enter');
    await waitFor('the retried record at the CRM', () => peers.crm.log().requests.filter((r) => r.kind === 'postcall').length > refused || undefined);
    await waitFor('the dead letter to go', async () => ((await panel.$('[data-testid=dead-letter]')) ? undefined : true));
  });

  it('popup: 0 violations, every control reachable by Tab with visible focus', async () => {
    const popup = await openExtensionTab(ext, '/popup.html');
    await setViewport(popup, { width: 320, height: 600 });
    await waitForText(popup, '[data-testid=popup-recent] [data-testid=history-row]', /Bob/);
    expect(await audit(popup, 'popup')).toEqual([]);
    await tabTo(popup, '[data-testid=dnd-switch]');
    await tabTo(popup, '[data-testid=open-options]');
    await popup.close();
  });

  it('options: every section and the test bench with its results, by keyboard', async () => {
    await options.bringToFront();
    await setViewport(options, { width: 1280, height: 800 });
    await options.waitForSelector('[data-testid=bench-run]');
    // The bench runs from the keyboard: Tab to its button, Enter.
    await options.$eval('#testbench-heading', (h) => h.scrollIntoView());
    await options.focus('[data-testid=bench-name]');
    await tabTo(options, '[data-testid=bench-run]');
    await options.keyboard.press('Enter');
    await options.waitForSelector('[data-testid=bench-step][data-point=inbound][data-outcome=ok]');
    const sections = await options.$$eval('main section[id]', (els) => els.map((e) => e.id));
    expect(sections).toEqual(expect.arrayContaining(['connection', 'permissions', 'testbench', 'importexport']));
    const findings = await audit(options, 'options page');
    for (const id of sections) findings.push(...await audit(options, `options #${id}`, `#${id}`));
    expect(findings).toEqual([]);
    if (shots) {
      await options.$eval('#testbench-heading', (h) => h.scrollIntoView());
      writeStoreShot('3-options-test-bench', [{ png: await shoot(options, 1280), width: 1280 }]);
    }
  });
});
