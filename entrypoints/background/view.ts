import { browser } from 'wxt/browser';
import type { Call } from '@/utils/calls/call';
import { buildCdr, dispositionOf } from '@/utils/cdr/build-cdr';
import { VIEW_KEY, type CallCard, type ConnectionHealth, type HistoryEntry, type ViewState } from '@/utils/view-state';
import type { Worker } from './worker';

const HISTORY_KEY = 'history';
/** Ended calls stay on screen this long, so the CRM page stays up while the agent writes notes. */
const RECENT_ENDED = 3;

export interface ViewPublisher {
  changed(): void;
  health(h: ConnectionHealth): void;
  recordHistory(call: Call, postcallKey: string | undefined): void;
  current(): ViewState;
  /** Sign-out: the history and the ended calls on screen are forgotten. */
  forgetHistory(): Promise<void>;
}

/**
 * Builds the view state from the worker's parts and publishes it to `storage.session`, coalescing
 * bursts of changes into one write per task so a frame storm costs one write, not hundreds.
 */
export function createViewPublisher(worker: () => Worker | undefined): ViewPublisher {
  let health: ConnectionHealth = { state: 'connecting', since: Date.now() };
  let history: HistoryEntry[] | undefined;
  const recent: CallCard[] = [];
  let scheduled = false;

  const loaded = browser.storage.local.get(HISTORY_KEY).then((r) => {
    history = (r[HISTORY_KEY] as HistoryEntry[] | undefined) ?? [];
  });

  function current(): ViewState {
    const w = worker();
    const active: CallCard[] = w
      ? Object.values(w.engine.book().calls)
          .filter((c) => c.state !== 'ended')
          .sort((a, b) => a.offeredAt - b.offeredAt)
          .map((call) => ({ call, ...(w.engine.activity(call.id) ?? { lookups: [], pop: { state: 'none' } }) }))
      : [];
    const outbox = w?.outbox.view() ?? { pending: 0, dead: [] };
    const dead = new Set(outbox.dead.map((d) => d.key));
    return {
      connection: health,
      calls: [...active, ...recent],
      history: (history ?? []).map((h) => {
        const key = h.postcallKey;
        if (!key) return h;
        return { ...h, postcall: dead.has(key) ? 'dead' : w?.outbox.isPending(key) ? 'pending' : 'delivered' };
      }),
      outbox,
      doNotDisturb: w?.settings.behaviour.doNotDisturb ?? false,
      framePops: (w?.settings.behaviour.target ?? 'sidepanel') === 'sidepanel',
    };
  }

  function changed() {
    if (scheduled) return;
    scheduled = true;
    setTimeout(() => {
      scheduled = false;
      void browser.storage.session.set({ [VIEW_KEY]: current() });
    }, 0);
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
      const w = worker();
      const cdr = buildCdr(call);
      const outcome: HistoryEntry['outcome'] =
        call.answeredAt !== undefined ? 'answered' : call.cause === 26 ? 'answered-elsewhere' : ({ BUSY: 'busy', FAILED: 'failed', CONGESTION: 'failed' } as const)[dispositionOf(call) as 'BUSY'] ?? 'missed';
      const entry: HistoryEntry = {
        id: call.id,
        direction: call.direction,
        number: call.variables.calleridnumber ?? '',
        name: call.variables.calleridname ?? '',
        startedAt: call.offeredAt,
        endedAt: call.endedAt ?? Date.now(),
        outcome,
        billsec: Number(cdr.billsec),
        postcall: key ? 'pending' : 'none',
        postcallKey: key,
      };
      recent.unshift({ call, ...(w?.engine.activity(call.id) ?? { lookups: [], pop: { state: 'none' } }) });
      recent.splice(RECENT_ENDED);
      w?.engine.prune(new Set(recent.map((c) => c.call.id)));
      void loaded.then(() => {
        const limit = w?.settings.advanced.historySize ?? 200;
        history = [entry, ...(history ?? []).filter((h) => h.id !== entry.id)].slice(0, limit);
        void browser.storage.local.set({ [HISTORY_KEY]: history });
        changed();
      });
    },
  };
}
