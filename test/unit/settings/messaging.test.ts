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
    ...overrides,
  };
}

describe('typed messaging', () => {
  beforeEach(() => fakeBrowser.reset());

  it('delivers the request to its handler and returns the reply as a value', async () => {
    const controller = new AbortController();
    registerHandlers(handlers({ setDoNotDisturb: async (req) => (req.on ? { ok: true } : Promise.reject(new Error('no'))) }), controller.signal);
    expect(await send('setDoNotDisturb', { on: true })).toEqual({ ok: true, value: { ok: true } });
    expect(await send('setDoNotDisturb', { on: false })).toEqual({ ok: false, error: 'no' });
    controller.abort();
  });

  it('turns an unreachable background into an error value', async () => {
    const result = await send('testConnection', {});
    expect(result.ok).toBe(false);
  });
});
