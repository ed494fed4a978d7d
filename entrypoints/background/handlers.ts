import { saveSettings } from '@/utils/adapters/settings-storage';
import { notePanel, openInTab, openPanel } from '@/utils/adapters/pop-target';
import { checkTransport } from '@/utils/connectors/transport-rule';
import { runTestBench } from '@/utils/engine/test-bench';
import type { Handlers } from '@/utils/messages';
import { createConnector } from './connector';
import { placeCall } from './dialler';
import { worker } from './worker';

const CONNECTION_TEST_MS = 5000;

/** The background's answer to every message in utils/messages.ts. */
export const handlers: Handlers = {
  async getView() {
    return (await worker()).view.current();
  },
  async setDoNotDisturb({ on }) {
    await saveSettings({ behaviour: { doNotDisturb: on } });
    return { ok: true };
  },
  async runTestBench(call) {
    const w = await worker();
    return runTestBench(call, w.settings, (url, timeoutMs) => w.lookups.lookup(url, { timeoutMs }), Date.now());
  },
  async testConnection() {
    const w = await worker();
    const started = performance.now();
    if (!w.settings.connection.url) return { ok: false, message: 'No PBX stream URL is configured.', ms: 0 };
    const transport = checkTransport(w.settings.connection.url, w.settings.security.allowPlainPbx);
    if (!transport.ok) return { ok: false, message: transport.error, ms: 0 };
    return new Promise((resolve) => {
      const done = (ok: boolean, message: string) => {
        clearTimeout(timer);
        link.close();
        resolve({ ok, message, ms: Math.round(performance.now() - started) });
      };
      const connector = createConnector(w.settings, { emit: () => undefined, activeCallIds: () => [], saveResume: () => undefined, resume: {}, now: Date.now });
      const timer = setTimeout(() => done(false, `No answer within ${CONNECTION_TEST_MS / 1000} s.`), CONNECTION_TEST_MS);
      const link = connector.open({
        opened: () => {
          connector.onOpen(link);
          // One-way streams prove themselves by opening; two-way ones by their first frame (hello).
          if (w.settings.connection.kind === 'json-sse') done(true, 'Connected.');
        },
        frame: (raw) => {
          const type = (() => { try { return (JSON.parse(raw) as { type?: string }).type; } catch { return undefined; } })();
          done(type !== 'error', type === 'error' ? `The server refused: ${raw.slice(0, 200)}` : 'Connected; the server answered.');
        },
        closed: (reason) => done(false, reason),
      });
    });
  },
  async retryDeadLetter({ key }) {
    return { ok: await (await worker()).outbox.retryDead(key) };
  },
  async openCallPage({ callId, where }) {
    // First, before any await: the sender's click gesture lasts only for this task.
    if (where === 'panel') return { ok: await openPanel() };
    const w = await worker();
    const card = w.view.current().calls.find((c) => c.call.id === callId);
    if (!card?.pop.url) return { ok: false };
    await openInTab(card.pop.url, w.settings.behaviour.reuseTab, true);
    return { ok: true };
  },
  dial({ input, phone, asDialled }) {
    return placeCall(input, phone, asDialled);
  },
  async signOut({ discardQueued }) {
    const w = await worker();
    // A post-call record is never lost silently: sent first, or dropped only by explicit choice.
    const undelivered = discardQueued ? 0 : await w.outbox.deliverNow();
    if (undelivered > 0) return { ok: false, undelivered };
    await w.outbox.clear();
    await w.forgetUser();
    return { ok: true, undelivered: 0 };
  },
  async panelPresence({ open, windowId }) {
    await notePanel(open, windowId);
    return { ok: true };
  },
};
