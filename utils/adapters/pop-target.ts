import { browser } from 'wxt/browser';
import type { Settings } from '../settings/schema';

/** The side panel reports itself every 10 s; older than this, it is taken as closed. */
const PANEL_FRESH_MS = 25_000;

/**
 * A `storage.session` value also kept in memory: the pop path reads it on every call, storage
 * only once per worker life (a restarted worker finds it there again). Writes go through.
 */
function sessionValue<T>(key: string) {
  let cached: { value: T | undefined } | undefined;
  return {
    async get(): Promise<T | undefined> {
      cached ??= { value: ((await browser.storage.session.get(key))[key] as T | null | undefined) ?? undefined };
      return cached.value;
    },
    async set(value: T | undefined): Promise<void> {
      cached = { value };
      await browser.storage.session.set({ [key]: value ?? null });
    },
  };
}

const popTab = sessionValue<{ id: number; origin: string; sentAt?: number }>('popTab');
/**
 * Firefox shows no address for a tab whose first page has not loaded yet (a slow CRM), even with
 * host access to the CRM: for this long after we sent it a pop, such a tab is still ours, not one
 * the user took elsewhere. Without host access nothing is readable, so every tab counts as elsewhere.
 */
const FIRST_LOAD_MS = 15_000;
const panelSeen = sessionValue<{ windowId: number | undefined; at: number }>('panelSeen');

type SidePanelApi = { open(o: { windowId: number }): Promise<void> };
const sidePanel = (): SidePanelApi | undefined => (globalThis as { chrome?: { sidePanel?: SidePanelApi } }).chrome?.sidePanel;

export async function notePanel(open: boolean, windowId: number | undefined) {
  await panelSeen.set(open ? { windowId, at: Date.now() } : undefined);
}

async function panelIsOpen(): Promise<boolean> {
  const seen = await panelSeen.get();
  return !!seen && Date.now() - seen.at < PANEL_FRESH_MS;
}

/**
 * Shows a pop-up URL where the settings say, plus the call's notification when "Show
 * notifications" is on (one per call: the notification id is the call's, so it never stacks).
 * Returns where the pop went.
 */
export async function showPop(url: string, settings: Settings, notify: () => Promise<void>): Promise<string> {
  const where = await place(url, settings, notify);
  if (settings.behaviour.notifications && where !== 'notification') {
    // The pop itself went through; a notification the system refuses must not undo that.
    return notify().then(() => where, (e: unknown) => `${where} (notification failed: ${String(e)})`);
  }
  return where;
}

/**
 * The side panel needs no call here: it renders the newest popped call's URL from the view state.
 * When it is closed — browsers only open it on a user gesture — the configured fallback takes over.
 */
async function place(url: string, settings: Settings, notify: () => Promise<void>): Promise<string> {
  const b = settings.behaviour;
  if (b.target === 'sidepanel') {
    if (await panelIsOpen()) return 'sidepanel';
    if (b.fallback === 'notification') {
      await notify();
      return 'notification';
    }
    if (b.fallback === 'badge') {
      await browser.action.setBadgeText({ text: '1' });
      return 'badge';
    }
  }
  if (b.target === 'window') {
    await browser.windows.create({ url, type: 'popup', width: 520, height: 720, focused: b.focus });
    return 'window';
  }
  await openInTab(url, b.reuseTab, b.focus);
  return 'tab';
}

/**
 * Opens `url` in a tab, reusing the tab of an earlier pop when asked — but only while that tab
 * still shows the CRM's origin: a tab the user has since taken elsewhere (their mail, another
 * site) is theirs, and a new one opens. Without the `tabs` permission a tab's URL is readable
 * only on origins the extension has host access to, which the CRM's origin is (the options page
 * asks for it); anything unreadable counts as "elsewhere".
 */
export async function openInTab(url: string, reuse: boolean, focus: boolean): Promise<number | undefined> {
  const origin = new URL(url).origin;
  if (reuse) {
    const saved = await popTab.get();
    if (saved && saved.origin === origin) {
      try {
        const current = await browser.tabs.get(saved.id);
        const shown = current.url ?? (current as { pendingUrl?: string }).pendingUrl;
        const firstLoad = shown === undefined && current.status === 'loading' && Date.now() - (saved.sentAt ?? 0) < FIRST_LOAD_MS && (await canRead(origin));
        if (firstLoad || originOf(shown) === origin) {
          const tab = await browser.tabs.update(saved.id, { url, active: focus });
          if (focus && tab?.windowId !== undefined) await browser.windows.update(tab.windowId, { focused: true });
          return saved.id;
        }
      } catch {
        // The tab was closed since; open a new one.
      }
    }
  }
  const tab = await browser.tabs.create({ url, active: focus });
  if (tab.id !== undefined) await popTab.set({ id: tab.id, origin, sentAt: Date.now() });
  return tab.id;
}

/** Host access to `origin` (match patterns carry no port). */
function canRead(origin: string): Promise<boolean> {
  const { protocol, hostname } = new URL(origin);
  return browser.permissions.contains({ origins: [`${protocol}//${hostname}/*`] });
}

function originOf(url: string | undefined): string | undefined {
  try {
    return url ? new URL(url).origin : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Opens the side panel in response to a user gesture (notification click, command, a click in a
 * page that messaged us). Chrome honours the gesture only for an open() made in the event's own
 * task — not even a microtask later (measured, Chromium 156) — so nothing is awaited before it;
 * without a known window, WINDOW_ID_CURRENT means the last focused one.
 */
export async function openPanel(windowId?: number): Promise<boolean> {
  try {
    const api = sidePanel();
    if (api) {
      await api.open({ windowId: windowId ?? browser.windows.WINDOW_ID_CURRENT });
      return true;
    }
    const sidebar = (browser as unknown as { sidebarAction?: { open(): Promise<void> } }).sidebarAction;
    if (sidebar) {
      await sidebar.open();
      return true;
    }
  } catch {
    // Not a user gesture after all: the caller falls back to a tab.
  }
  return false;
}
