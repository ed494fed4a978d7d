import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchWithExtension, waitFor, type BrowserKind, type ExtensionBrowser } from './harness/launch';
import { peerSettings, startPeers, type Peers } from './harness/peers';
import { closeFirefoxSidebar, stretched } from './harness/ui-pages';
import { BROWSERS } from './harness/lanes';

const SPEED = 20;

/**
 * The call notifications showing, by id. Chromium: `notifications.getAll()`, the browser's own
 * list. Firefox headless has no alert service and closes every notification the moment it is
 * created (getAll() is always empty), so there the background page's notification calls are
 * recorded instead (Firefox hands extension pages the event page's window) and replayed:
 * created and not yet cleared. `creates` counts create() calls per id, to catch stacking.
 */
async function notificationProbe(ext: ExtensionBrowser): Promise<() => Promise<{ showing: string[]; creates: Record<string, number> }>> {
  const page = await ext.extensionPage();
  if (ext.kind === 'chromium') {
    return () => page.evaluate(async () => {
      type Api = { notifications: { getAll(): Promise<Record<string, unknown>> } };
      const ids = Object.keys(await (globalThis as unknown as { chrome: Api }).chrome.notifications.getAll());
      return { showing: ids, creates: Object.fromEntries(ids.map((id) => [id, 1])) };
    });
  }
  await page.evaluate(async () => {
    type Notifications = { create(id: string, o: object): Promise<string>; clear(id: string): Promise<boolean> };
    type Api = { runtime: { getBackgroundPage(): Promise<{ browser: { notifications: Notifications } }> } };
    const g = globalThis as unknown as { browser: Api; e2eNotificationLog: string[] };
    const api = (await g.browser.runtime.getBackgroundPage()).browser.notifications;
    const log: string[] = (g.e2eNotificationLog = []);
    const [create, clear] = [api.create.bind(api), api.clear.bind(api)];
    api.create = (id, o) => (log.push(`create ${id}`), create(id, o));
    api.clear = (id) => (log.push(`clear ${id}`), clear(id));
  });
  return () => page.evaluate(() => {
    const showing = new Set<string>();
    const creates: Record<string, number> = {};
    for (const entry of (globalThis as unknown as { e2eNotificationLog: string[] }).e2eNotificationLog) {
      const [op, id] = entry.split(' ') as [string, string];
      if (op === 'create') {
        showing.add(id);
        creates[id] = (creates[id] ?? 0) + 1;
      } else showing.delete(id);
    }
    return { showing: [...showing], creates };
  });
}

/**
 * Pop target side panel, panel closed, fallback notification: each call gets one notification,
 * never two, and it goes away when the call is answered elsewhere or ends.
 */
describe.each(BROWSERS)('notifications in %s', (kind) => {
  let peers: Peers;
  let ext: ExtensionBrowser;
  let probe: Awaited<ReturnType<typeof notificationProbe>>;
  const notifications = async () => (await probe()).showing;
  const pops = () => peers.crm.log().requests.filter((r) => r.kind === 'pop');

  beforeAll(async () => {
    peers = await startPeers();
    ext = await launchWithExtension(kind);
    // Firefox opens an add-on's sidebar on install; the panel must be closed for the fallback.
    if (kind === 'firefox') await closeFirefoxSidebar(ext);
    await ext.configure(peerSettings(peers, { behaviour: { target: 'sidepanel', fallback: 'notification', notifications: true } }));
    await waitFor('the extension to connect to the simulator', () => peers.sim.state().ws > 0);
    probe = await notificationProbe(ext);
  });
  afterAll(async () => {
    await ext?.close();
    await peers?.close();
  });

  it('one notification per ringing call, none stacked, cleared when each call ends', async () => {
    expect(await notifications()).toEqual([]);
    // Two overlapping calls (Carol, then Hans while Carol talks), stretched so each rings for seconds.
    expect(peers.sim.play(stretched('concurrent-calls', 10), { speed: SPEED }).ok).toBe(true);
    const first = await waitFor('the first call\'s notification', async () => ((await notifications()).length === 1 ? notifications() : undefined));
    expect(first[0]).toMatch(/^call:/);
    const both = await waitFor('the second call\'s notification', async () => {
      const ids = await notifications();
      return ids.length === 2 ? ids : undefined;
    });
    expect(both).toContain(first[0]);
    // Nothing was framed or opened: the panel is closed, the notification is the pop.
    expect(pops()).toEqual([]);
    // Carol hangs up first: her notification goes, Hans's stays while his call goes on.
    const left = await waitFor('the first call\'s notification to be cleared', async () => {
      const ids = await notifications();
      return ids.length === 1 ? ids : undefined;
    }, 20_000);
    expect(left[0]).not.toBe(first[0]);
    expect(left[0]).toBe(both.find((id) => id !== first[0]));
    await waitFor('both calls to end', () => peers.sim.state().activeCalls.length === 0 || undefined, 20_000);
    await waitFor('every notification to be cleared', async () => ((await notifications()).length === 0 ? true : undefined));
    // Never stacked: one create() per call although each call rang, was answered and ended
    // (Firefox's record; in Chromium getAll() showed exactly one id per ringing call above).
    if (kind === 'firefox') expect(Object.values((await probe()).creates)).toEqual([1, 1]);
  });

  it('is cleared as soon as a colleague answers (cause 26), before the call itself ends', async () => {
    // queue-ring-all: PJSIP/100 and 101 ring, 101 answers; the caller talks on with 101.
    expect(peers.sim.play(stretched('queue-ring-all', 5), { speed: SPEED }).ok).toBe(true);
    await waitFor('the notification', async () => ((await notifications()).length === 1 ? true : undefined));
    await waitFor('the notification to be cleared', async () => ((await notifications()).length === 0 ? true : undefined), 20_000);
    // The PBX call is still going (101 talks to the caller): cleared on "answered elsewhere", not on hang-up.
    expect(peers.sim.state().activeCalls.length).toBe(1);
    await waitFor('the queue call to end', () => peers.sim.state().activeCalls.length === 0 || undefined, 20_000);
  });
});
