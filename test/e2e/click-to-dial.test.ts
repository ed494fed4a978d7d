import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer-core';
import { createAriEmulator, type AriEmulator } from '../sim/ari/emulator';
import { startSimulator, type Simulator } from '../sim/server';
import { SIM_USERS } from '../sim/sim-users';
import { launchWithExtension, waitFor, type BrowserKind, type ExtensionBrowser } from './harness/launch';
import { BROWSERS } from './harness/lanes';
import { CHROME_ID, FIREFOX_UUID } from './harness/paths';
import { openExtensionTab, waitForText } from './harness/ui-pages';

/** The phone is picked up after 1.5 s, the number answers 1.3 s later, the talk lasts 1.5 s. */
const TIMING = { answerMs: 1500, farRingMs: 300, farAnswerMs: 1000, talkMs: 1500 };
const DIALLED = '00301234567';

/**
 * Click-to-dial in real browsers against the ARI emulation and the JSON stream: from the side
 * panel's dial box (a double Enter), from the history's "call back", and from a `tel:` link's
 * input as the context menu and the tel: handler pass it on. Each places exactly one originate
 * (one `dial` frame) with the normalised number, and the call shows as outbound to that number.
 */
describe.each<BrowserKind>(BROWSERS)('click-to-dial in %s', (kind) => {
  let sim: Simulator;
  let ari: AriEmulator;
  let ext: ExtensionBrowser;
  let panel: Page;

  const originates = () => ari.controlLog().filter((r) => r.path === '/ari/channels');
  const settings = (connection: object) => ({
    connection: { endpoints: ['PJSIP/100'], trunks: ['PJSIP/pstn'], ...connection },
    dialling: { outsidePrefix: '0', context: 'from-internal' },
    behaviour: { notifications: false },
  });
  const ariSettings = (secret = 'cti:secret') => settings({ kind: 'ari', url: sim.url, secret });

  async function connect(s: Record<string, unknown>, connected: () => boolean) {
    await ext.configure(s);
    await waitFor('the connection', () => connected() || undefined, 20_000);
    await waitFor('the panel to show it connected', async () => (await panel.$('[data-testid="connection-state"][data-state="connected"]')) ?? undefined, 20_000);
  }

  /** Enters a number in the dial box and presses Enter twice, as an impatient person does. */
  async function dialFromBox(number: string) {
    await panel.bringToFront();
    // Select what a refused number left in the box, so typing replaces it.
    await panel.$eval('[data-testid="dial-input"]', (e) => (e as HTMLInputElement).select());
    await panel.type('[data-testid="dial-input"]', number);
    await panel.keyboard.press('Enter');
    await panel.keyboard.press('Enter');
  }

  /** The outbound call card to the dialled number shows, and ends in the history as outbound. */
  async function outboundShown(historyRows: number) {
    const number = await waitForText(panel, '[data-testid="call-card"] [data-testid="call-number"], [data-testid="call-card"] [data-testid="call-name"]', new RegExp(DIALLED), 10_000);
    expect(number).toBe(DIALLED);
    expect(await panel.$eval('[data-testid="call-card"] .direction', (e) => e.className)).toContain('dir-outbound');
    await waitFor('the history row', async () => ((await panel.$$('[data-testid="history-row"]')).length >= historyRows) || undefined, 15_000);
    const row = await panel.$eval('[data-testid="history-row"]', (e) => ({ text: e.textContent ?? '', dir: e.querySelector('.direction')?.className ?? '' }));
    expect(row.dir).toContain('dir-outbound');
    expect(row.text).toContain(DIALLED);
  }

  beforeAll(async () => {
    ari = createAriEmulator({ users: SIM_USERS.map((u) => ({ ...u })), dialTiming: TIMING, allowedOrigins: [`chrome-extension://${CHROME_ID}`, `moz-extension://${FIREFOX_UUID}`] });
    sim = await startSimulator({ heartbeatMs: 15_000, plugin: ari, dialTiming: TIMING });
    ext = await launchWithExtension(kind);
    await ext.configure(ariSettings());
    panel = await openExtensionTab(ext, '/sidepanel.html');
    await connect(ariSettings(), () => ari.state().clients.some((c) => !c.replaced));
  }, 60_000);
  afterAll(async () => {
    await ext?.close();
    await sim?.close();
  });

  it('ARI, dial box: a double Enter places one originate from the user’s phone; Calling … becomes the outbound call', async () => {
    await dialFromBox('030 123 4567');
    await outboundShown(1);
    expect(originates().map((r) => ({ ...r.query, channelId: r.query.channelId?.startsWith('ctipop-') }))).toEqual([
      { endpoint: 'PJSIP/100', extension: DIALLED, context: 'from-internal', priority: '1', timeout: '30', callerId: `"+49 30 1234567" <${DIALLED}>`, channelId: true },
    ]);
  });

  it('ARI, history: "Call back" places one originate to the same number', async () => {
    await panel.bringToFront();
    await panel.$eval('[data-testid="history-call-back"]', (e) => (e as HTMLButtonElement).click());
    await waitFor('the second originate', () => originates().length === 2 || undefined, 10_000);
    expect(originates()[1]!.query.extension).toBe(DIALLED);
    await outboundShown(2);
    expect(originates()).toHaveLength(2);
  });

  it('ARI, a tel: link as the context menu and the tel: handler page hand it over: one originate, normalised', async () => {
    const page = await openExtensionTab(ext, `/dial.html?uri=${encodeURIComponent('tel:+49-30-1234567;ext=9')}`);
    await waitForText(page, '[data-testid="dial-status"]', /\+49 30 1234567/, 10_000);
    expect(await page.$eval('[data-testid="dial-status"]', (e) => (e as HTMLElement).dataset.state)).toBe('placed');
    await page.close();
    await waitFor('the third originate', () => originates().length === 3 || undefined, 10_000);
    expect(originates()[2]!.query).toMatchObject({ endpoint: 'PJSIP/100', extension: DIALLED, context: 'from-internal' });
    await outboundShown(3);
  });

  it('refuses what is not a number before the PBX, and shows the PBX’s own refusals (offline phone, read-only user)', async () => {
    const before = originates().length;
    await dialFromBox('100&PJSIP/101');
    expect(await waitForText(panel, '[data-testid="dial-refused"]', /"&"/)).toMatch(/not a phone number/);
    ari.setOffline('PJSIP/100', true);
    await dialFromBox('101');
    await waitForText(panel, '[data-testid="dial-card"][data-state="failed"]', /PJSIP\/100 is offline/, 10_000);
    ari.setOffline('PJSIP/100', false);
    const connects = ari.state().connects;
    await connect(ariSettings('viewer:secret'), () => ari.state().connects > connects);
    await dialFromBox('102');
    await waitForText(panel, '[data-testid="dial-card"][data-state="failed"]', /read_only/, 10_000);
    expect(originates().slice(before).map((r) => [r.query.extension, r.status])).toEqual([['101', 500], ['102', 403]]);
  });

  it('JSON stream: the dial box sends one dial frame; the call shows as outbound to the dialled number', async () => {
    await connect(settings({ kind: 'json-ws', url: sim.wsUrl, secret: sim.token }), () => sim.state().ws > 0);
    const rows = (await panel.$$('[data-testid="history-row"]')).length;
    await dialFromBox('+49 30 1234567');
    await waitFor('the dial frame', () => sim.state().dialMessages.length > 0 || undefined, 10_000);
    await outboundShown(rows + 1);
    expect(sim.state().dialMessages.map((d) => [d.endpoint, d.number, d.ok])).toEqual([['PJSIP/100', DIALLED, true]]);
  });
});
