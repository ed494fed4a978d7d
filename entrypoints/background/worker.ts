import { browser } from 'wxt/browser';
import { emptyBook, type CallBook } from '@/utils/calls/call-book';
import { createConnection, type Connection } from '@/utils/connectors/connection';
import { checkTransport } from '@/utils/connectors/transport-rule';
import { createLookupRunner, type LookupRunner } from '@/utils/lookup/lookup-runner';
import { redactUrl } from '@/utils/templates/redact-url';
import { createEngine, type CtiEngine } from '@/utils/engine/cti-engine';
import type { Settings } from '@/utils/settings/schema';
import type { ConnectionHealth } from '@/utils/view-state';
import { createConnector, type Connector } from './connector';
import { createOutboxAdapter, type OutboxAdapter } from './outbox';
import { loadWorkerSettings } from './settings';
import { saveSettings } from '@/utils/adapters/settings-storage';
import { createViewPublisher, type ViewPublisher } from './view';
import { clearNotification, notifyCall, notifyMissed } from './notifications';
import { isMissed } from '@/utils/calls/other-party';
import { showPop } from '@/utils/adapters/pop-target';
import { preparePhoneMetadata } from '@/utils/templates/phone-metadata';
import { usePackagedPhoneMetadata } from './phone';
import { createDialTracker, type DialTracker } from '@/utils/dial/dial-tracker';

const BOOK_KEY = 'book';
const RESUME_KEY = 'resume';

/**
 * The background's composition root: settings, the call book, the engine, the outbox and the PBX
 * connection, created once per worker life. Chrome may stop the worker at any time; everything
 * needed to carry on (calls, popped flags, resume point, queued records) is in storage, so the
 * next start picks up where this one stopped.
 */
export interface Worker {
  settings: Settings;
  engine: CtiEngine;
  lookups: LookupRunner;
  outbox: OutboxAdapter;
  view: ViewPublisher;
  connection?: Connection;
  connector?: Connector;
  dials: DialTracker;
  restartConnection(): void;
  /** Sign-out: forgets the PBX secret, the history, the call book and the resume point. */
  forgetUser(): Promise<void>;
}

let starting: Promise<Worker> | undefined;

export function worker(): Promise<Worker> {
  return (starting ??= start());
}

async function start(): Promise<Worker> {
  usePackagedPhoneMetadata();
  // Both reads at once: a woken worker reconnects as soon as it knows settings and resume point.
  const [settings, stored] = await Promise.all([loadWorkerSettings(), browser.storage.local.get([BOOK_KEY, RESUME_KEY])]);
  // The home country's number plan, before the first call needs it.
  void preparePhoneMetadata('', settings.current.numbers.homeCountry);
  const book = (stored[BOOK_KEY] as CallBook | undefined) ?? emptyBook();
  let resume: unknown = stored[RESUME_KEY];

  const lookups = createRunner(settings.current);
  const view = createViewPublisher({
    calls: () => Object.values(engine.book().calls),
    activity: (id) => engine.activity(id),
    outbox: { view: () => outbox.view(), isPending: (key) => outbox.isPending(key) },
    settings: () => settings.current,
    dials: () => w.dials.current(new Set(Object.keys(engine.book().calls))),
  });
  const outbox = await createOutboxAdapter(settings.current, () => view.changed());

  const engine = createEngine(
    {
      settings: () => settings.current,
      now: Date.now,
      lookup: (url, timeoutMs) => w.lookups.lookup(url, { timeoutMs }),
      pop: async (call, url) => {
        const where = await showPop(url, settings.current, () => notifyCall(call, engine.activity(call.id)));
        const a = engine.activity(call.id);
        if (a) a.pop.detail = where;
        // The side panel renders the pop from the view: publish it now, not at the next throttle tick.
        if (where === 'sidepanel') view.changed(true);
      },
      queuePostCall: (key, url) => outbox.enqueue(key, url),
      onEnded: (call, key) => {
        engine.prune(view.recordHistory(call, key));
        // Answered elsewhere or over: the incoming-call notification has nothing left to offer.
        void clearNotification(call.id).catch(() => undefined);
        if (isMissed(call) && settings.current.behaviour.notifications) void notifyMissed(call).catch(() => undefined);
      },
      control: (callId, actions) => w.connector?.control?.(callId, actions) ?? Promise.resolve({ ok: false, reason: 'the connector cannot control calls' }),
      // The engine goes on without the write; the console says why a restart may repeat a pop.
      saveBook: (b) => browser.storage.local.set({ [BOOK_KEY]: b }).catch((error: unknown) => console.error(`CTI Pop could not store the call book: ${String(error)}`)),
      onChange: () => view.changed(),
    },
    book,
  );

  const w: Worker = {
    settings: settings.current,
    engine,
    lookups,
    outbox,
    view,
    dials: createDialTracker({ now: Date.now, ringTimeoutS: () => settings.current.dialling.ringTimeoutS }),
    restartConnection() {
      w.connection?.stop();
      w.connection = undefined;
      w.connector = undefined;
      const s = settings.current;
      if (!s.connection.url) {
        view.health({ state: 'unconfigured', since: Date.now() });
        return;
      }
      const transport = checkTransport(s.connection.url, s.security.allowPlainPbx);
      if (!transport.ok) {
        view.health({ state: 'error', since: Date.now(), lastError: transport.error, url: redactUrl(s.connection.url) });
        return;
      }
      const connector = createConnector(s, {
        // Called as the frame arrives: lookup deadlines count from now. The resume point is
        // written once the events are stored and their pops shown, never ahead of a pop.
        emit: (events) => {
          const arrivedAt = Date.now();
          return Promise.all(events.map((e) => engine.handle(e, arrivedAt))).then(() => engine.popsShown());
        },
        activeCallIds: () => Object.values(engine.book().calls).filter((c) => c.state !== 'ended').map((c) => c.id),
        saveResume: (state) => {
          resume = state;
          void browser.storage.local.set({ [RESUME_KEY]: state });
        },
        resume,
        now: Date.now,
        problemsChanged: () => {
          if (w.connector === connector && w.connection) view.health(withProblems(w.connection.health(), connector));
        },
      });
      w.connector = connector;
      w.connection = createConnection({
        open: connector.open,
        onOpen: (link) => connector.onOpen(link),
        onFrame: (raw, id) => connector.onFrame(raw, id),
        ping: connector.ping,
        onHealth: (h: ConnectionHealth) => view.health(withProblems(h, connector)),
        now: Date.now,
        random: Math.random,
        setTimer: (fn, ms) => setTimeout(fn, ms),
        clearTimer: (t) => clearTimeout(t as ReturnType<typeof setTimeout>),
        silenceMs: s.advanced.heartbeatTimeoutMs,
        pingMs: 20_000,
        url: redactUrl(s.connection.url),
      });
      w.connection.start();
    },
    async forgetUser() {
      await engine.forgetAll();
      await view.forgetHistory();
      resume = undefined;
      await browser.storage.local.remove(RESUME_KEY);
      const saved = await saveSettings({ connection: { secret: '' } });
      if (!saved.ok) throw new Error(saved.error);
    },
  };
  settings.onChange((next, previous) => {
    w.settings = next;
    if (JSON.stringify(next.advanced) !== JSON.stringify(previous.advanced)) w.lookups = createRunner(next);
    if (JSON.stringify([next.connection, next.security.allowPlainPbx]) !== JSON.stringify([previous.connection, previous.security.allowPlainPbx])) w.restartConnection();
    view.changed();
  });
  engine.resume();
  w.restartConnection();
  await outbox.start();
  view.changed();
  return w;
}

function createRunner(s: Settings): LookupRunner {
  return createLookupRunner({
    fetch: globalThis.fetch.bind(globalThis),
    now: () => performance.now(),
    maxInFlight: s.advanced.maxLookupsInFlight,
    maxBytes: s.advanced.maxReplyBytes,
    timeoutMs: s.advanced.lookupTimeoutMs,
    credentials: s.advanced.lookupCookies ? 'include' : 'omit',
  });
}

function withProblems(h: ConnectionHealth, connector: Connector): ConnectionHealth {
  const p = connector.problems();
  if (h.state !== 'connected') return h;
  const problems = [p.warning, p.dropped ? `${p.dropped} malformed frame(s) dropped; last: ${p.last}` : undefined].filter(Boolean);
  return problems.length ? { ...h, lastError: problems.join('; ') } : h;
}
