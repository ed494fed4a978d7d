import { browser } from 'wxt/browser';
import type { Call } from '@/utils/calls/call';
import { historyEntry } from '@/utils/calls/history-entry';
import type { CallActivity } from '@/utils/engine/cti-engine';
import type { Settings } from '@/utils/settings/schema';
import { VIEW_KEY, type CallCard, type ConnectionHealth, type HistoryEntry, type OutboxView, type ViewState } from '@/utils/view-state';
import type { DialCard } from '@/utils/dial/dial-tracker';

const HISTORY_KEY = 'history';
/** Ended calls stay on screen this long, so the CRM page stays up while the agent writes notes. */
const RECENT_ENDED = 3;
/**
 * At most one `storage.session` write of the view per this many ms, and never at once: the
 * write (the whole view, history included) costs milliseconds of the worker's time, which the
 * pop of a ringing call must not wait behind. The panel's card appears this much later.
 */
const PUBLISH_MS = 100;

/** What the view is made of: exactly what it reads, nothing it could change. */
export interface ViewSources {
  calls(): Call[];
  activity(callId: string): CallActivity | undefined;
  outbox: { view(): OutboxView; isPending(key: string): boolean };
  settings(): Settings;
  /** Calls asked for that the PBX has not reported yet (or refused). */
  dials(): DialCard[];
}

export interface ViewPublisher {
  /** `now`: publish in the next task (a side-panel pop: the panel shows the URL from the view). */
  changed(now?: boolean): void;
  health(h: ConnectionHealth): void;
  /** Adds an ended call to the history and the recent cards; returns the ids whose activity is still shown. */
  recordHistory(call: Call, postcallKey: string | undefined): Set<string>;
  current(): ViewState;
  /** Sign-out: the history and the ended calls on screen are forgotten. */
  forgetHistory(): Promise<void>;
}

/** Builds the view state from the worker's parts and publishes it to `storage.session`, throttled. */
export function createViewPublisher(sources: ViewSources): ViewPublisher {
  let health: ConnectionHealth = { state: 'connecting', since: Date.now() };
  let history: HistoryEntry[] | undefined;
  const recent: CallCard[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  let urgent = false;

  const loaded = browser.storage.local.get(HISTORY_KEY).then((r) => {
    history = (r[HISTORY_KEY] as HistoryEntry[] | undefined) ?? [];
  });

  const card = (call: Call): CallCard => ({ call, ...(sources.activity(call.id) ?? { lookups: [], pop: { state: 'none' } }) });

  function current(): ViewState {
    const active = sources.calls().filter((c) => c.state !== 'ended').sort((a, b) => a.offeredAt - b.offeredAt).map(card);
    const outbox = sources.outbox.view();
    const dead = new Set(outbox.dead.map((d) => d.key));
    const settings = sources.settings();
    const endpoints = settings.connection.endpoints;
    return {
      connection: health,
      calls: [...active, ...recent],
      dials: sources.dials(),
      phones: { endpoints, selected: settings.dialling.phone || endpoints[0] || '' },
      history: (history ?? []).map((h) => {
        const key = h.postcallKey;
        if (!key) return h;
        return { ...h, postcall: dead.has(key) ? 'dead' : sources.outbox.isPending(key) ? 'pending' : 'delivered' };
      }),
      outbox,
      doNotDisturb: settings.behaviour.doNotDisturb,
      framePops: settings.behaviour.target === 'sidepanel',
    };
  }

  function publish() {
    timer = undefined;
    urgent = false;
    void browser.storage.session.set({ [VIEW_KEY]: current() });
  }

  function changed(now = false) {
    if (now && !urgent) {
      clearTimeout(timer);
      urgent = true;
      timer = setTimeout(publish, 0);
    } else timer ??= setTimeout(publish, PUBLISH_MS);
  }

  return {
    changed,
    current,
    health(h) {
      health = h;
      changed();
    },
    async forgetHistory() {
      await loaded;
      history = [];
      recent.length = 0;
      await browser.storage.local.remove(HISTORY_KEY);
      changed();
    },
    recordHistory(call, key) {
      const entry = historyEntry(call, key, Date.now());
      recent.unshift(card(call));
      recent.splice(RECENT_ENDED);
      void loaded.then(() => {
        history = [entry, ...(history ?? []).filter((h) => h.id !== entry.id)].slice(0, sources.settings().advanced.historySize);
        void browser.storage.local.set({ [HISTORY_KEY]: history });
        changed();
      });
      return new Set(recent.map((c) => c.call.id));
    },
  };
}
