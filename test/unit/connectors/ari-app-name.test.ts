import { afterEach, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import type { CallEvent } from '../../../utils/calls/call-event';
import { settingsSchema } from '../../../utils/settings/schema';
import { createAriEmulator } from '../../sim/ari/emulator';
import { startSimulator, type Simulator } from '../../sim/server';
import { framesOf, scenarioFile } from '../ari/helpers';

const settings = (control: boolean, url = 'ws://127.0.0.1:8088/ari/events') =>
  settingsSchema.parse({ connection: { kind: 'ari', url, secret: 'cti:secret', endpoints: ['PJSIP/100'], trunks: ['PJSIP/pstn'], control } });

/** A fresh module is what a second browser, profile or worker life loads. */
async function fresh() {
  vi.resetModules();
  return import('../../../utils/connectors/ari-connector');
}

let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
  vi.unstubAllGlobals();
});

const until = async (what: string, check: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

/** One browser's ARI connector, driven as the worker drives it, with what it emitted and reported. */
async function browser(s: ReturnType<typeof settings>) {
  const { createAriConnector } = await fresh();
  const events: CallEvent[] = [];
  let problemReports = 0;
  const connector = createAriConnector(s, {
    emit: (e) => void events.push(...e),
    activeCallIds: () => [],
    saveResume: () => undefined,
    resume: undefined,
    now: Date.now,
    problemsChanged: () => void problemReports++,
  });
  let open = false;
  const link = connector.open({ opened: () => ((open = true), connector.onOpen(link)), frame: (raw) => connector.onFrame(raw), closed: () => (open = false) });
  await until('the socket to open', () => open);
  return { connector, events, link, problemReports: () => problemReports };
}

describe('ARI application names', () => {
  it('gives every background an events name of its own, control mode or not, so two browsers on one endpoint never replace each other', async () => {
    const a = (await fresh()).ariAppName(settings(false));
    const b = (await fresh()).ariAppName(settings(false));
    const c = (await fresh()).ariAppName(settings(true));
    for (const name of [a, b, c]) expect(name).toMatch(/^ctipop-100-events-[a-z0-9]+$/);
    expect(new Set([a, b, c]).size).toBe(3);
  });

  it('claims the admin’s Stasis name, which the dialplan names, in control mode only', async () => {
    const { ariControlApp } = await fresh();
    expect(ariControlApp(settings(true))).toBe('ctipop-100');
    expect((await fresh()).ariControlApp(settings(true))).toBe('ctipop-100');
    expect(ariControlApp(settings(false))).toBeUndefined();
  });

  it('two control-mode browsers on one endpoint: the one that lost the Stasis app says so and still sees every call, once', async () => {
    vi.stubGlobal('WebSocket', WebSocket);
    const emulator = createAriEmulator({ stasis: { app: 'ctipop-100', calls: 'all', deadlineMs: 200 } });
    sim = await startSimulator({ plugin: emulator, speed: 100 });
    const s = settings(true, sim.url);
    const first = await browser(s);
    expect(emulator.state().clients.map((c) => c.apps)).toEqual([[expect.stringMatching(/^ctipop-100-events-/), 'ctipop-100']]);
    expect(first.connector.problems().warning).toBeUndefined();

    const second = await browser(s);
    await until('the first to hear ApplicationReplaced', () => first.problemReports() > 0);
    expect(first.connector.problems().warning).toMatch(/another client took the Stasis app ctipop-100 \(ApplicationReplaced\)/);
    expect(second.connector.problems().warning).toBeUndefined();
    const [a, b] = emulator.state().clients;
    expect(a?.apps).toHaveLength(1); // its own events app, still live
    expect(b?.apps).toEqual([expect.stringMatching(/^ctipop-100-events-/), 'ctipop-100']);

    const run = sim.play(scenarioFile('inbound-answered'));
    if (!run.ok) throw new Error(run.error);
    await run.value.done;
    const lifecycle = (events: CallEvent[]) => events.map((e) => e.type).filter((t) => t !== 'variables');
    await until('both to see the call end', () => [first, second].every((x) => x.events.some((e) => e.type === 'ended')));
    expect(lifecycle(first.events)).toEqual(['offered', 'ringing', 'answered', 'ended']);
    expect(lifecycle(second.events)).toEqual(['offered', 'ringing', 'answered', 'ended']);
    first.link.close();
    second.link.close();
  });

  it('takes each whole-PBX event once when Asterisk also sends a copy under the Stasis app', async () => {
    const { createAriConnector } = await fresh();
    const run = () => {
      const seen: string[] = [];
      const connector = createAriConnector(settings(true), { emit: (e) => void seen.push(...e.map((x) => x.type)), activeCallIds: () => [], saveResume: () => undefined, resume: undefined, now: Date.now });
      return { connector, seen };
    };
    const frames = framesOf(scenarioFile('inbound-answered')).map((t) => t.frame);
    const once = run();
    for (const f of frames) once.connector.onFrame(JSON.stringify({ ...f, application: 'ctipop-100-events-x' }));
    const twice = run();
    for (const f of frames) {
      twice.connector.onFrame(JSON.stringify({ ...f, application: 'ctipop-100-events-x' }));
      twice.connector.onFrame(JSON.stringify({ ...f, application: 'ctipop-100' }));
    }
    expect(once.seen).toContain('offered');
    expect(twice.seen).toEqual(once.seen);
    expect(twice.connector.problems()).toEqual({ dropped: 0, last: undefined, warning: undefined });
  });
});
