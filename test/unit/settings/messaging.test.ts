import { beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { registerHandlers, send } from '@/utils/adapters/messaging';
import type { Handlers } from '@/utils/messages';

const unused = () => Promise.reject(new Error('not used in this test'));

function handlers(overrides: Partial<Handlers>): Handlers {
  return {
    getView: unused,
    setDoNotDisturb: unused,
    runTestBench: unused,
    testConnection: unused,
    retryDeadLetter: unused,
    openCallPage: unused,
    panelPresence: unused,
    dial: unused,
    signOut: unused,
    ...overrides,
  };
}

/** What the background answers to `message` from `sender` (fakeBrowser's own sendMessage passes no sender id). */
async function deliver(message: unknown, sender: { id?: string }): Promise<unknown> {
  let reply: unknown = 'no answer';
  await fakeBrowser.runtime.onMessage.trigger(message, sender, (r: unknown) => void (reply = r));
  await new Promise((resolve) => setTimeout(resolve, 0));
  return reply;
}

describe('typed messaging', () => {
  beforeEach(() => fakeBrowser.reset());

  it('delivers the request to its handler and returns the reply as a value', async () => {
    const controller = new AbortController();
    registerHandlers(handlers({ setDoNotDisturb: async (req) => (req.on ? { ok: true } : Promise.reject(new Error('no'))) }), controller.signal);
    const own = { id: fakeBrowser.runtime.id };
    expect(await deliver({ ctipop: 1, name: 'setDoNotDisturb', req: { on: true } }, own)).toEqual({ ok: true, value: { ok: true } });
    expect(await deliver({ ctipop: 1, name: 'setDoNotDisturb', req: { on: false } }, own)).toEqual({ ok: false, error: 'no' });
    controller.abort();
  });

  it('answers only this extension: a message from another sender id, or none, is ignored', async () => {
    let calls = 0;
    registerHandlers(handlers({ setDoNotDisturb: async () => (calls++, { ok: true }) }));
    const message = { ctipop: 1, name: 'setDoNotDisturb', req: { on: true } };
    expect(await deliver(message, { id: 'another-extension' })).toBe('no answer');
    expect(await deliver(message, {})).toBe('no answer');
    expect(await send('setDoNotDisturb', { on: true })).toMatchObject({ ok: false });
    expect(calls).toBe(0);
  });

  it('refuses a request its schema rejects, naming the field, before the handler runs', async () => {
    const seen: unknown[] = [];
    registerHandlers(handlers({
      openCallPage: async (req) => (seen.push(req), { ok: true }),
      signOut: async (req) => (seen.push(req), { ok: true, undelivered: 0 }),
    }));
    const own = { id: fakeBrowser.runtime.id };
    const ask = (name: string, req: unknown) => deliver({ ctipop: 1, name, req }, own);
    expect(await ask('openCallPage', { callId: 'c1', where: 'javascript:' })).toEqual({ ok: false, error: 'The "openCallPage" request was refused: where invalid.' });
    expect(await ask('openCallPage', { callId: 'c1', where: 'tab', url: 'https://evil.example' })).toMatchObject({ ok: false });
    expect(await ask('signOut', { discardQueued: 'yes' })).toMatchObject({ ok: false, error: expect.stringContaining('discardQueued') });
    expect(await ask('signOut', null)).toMatchObject({ ok: false });
    expect(seen).toEqual([]);
    expect(await ask('openCallPage', { callId: 'c1', where: 'tab' })).toEqual({ ok: true, value: { ok: true } });
    expect(seen).toEqual([{ callId: 'c1', where: 'tab' }]);
  });

  it('turns an unreachable background into an error value', async () => {
    const result = await send('testConnection', {});
    expect(result.ok).toBe(false);
  });
});
