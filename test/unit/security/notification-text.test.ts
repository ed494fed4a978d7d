import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { notifyCall } from '@/entrypoints/background/notifications';
import type { Call } from '@/utils/calls/call';

describe('call notification text', () => {
  beforeEach(() => fakeBrowser.reset());

  it('cleans a caller ID and isolates it (U+2068 … U+2069), so it cannot reorder the text around it', async () => {
    const create = vi.fn(async () => 'id');
    (fakeBrowser as unknown as { notifications: { create: unknown } }).notifications.create = create;
    vi.spyOn(fakeBrowser.i18n, 'getMessage').mockImplementation((key: string) => key);
    const call: Call = {
      id: 'c1', direction: 'inbound', state: 'ringing', applications: [], offeredAt: 0,
      variables: { calleridname: 'Ann\u202Egnp.exe\r\nX: y', calleridnumber: '+1555\u202E0001', application: 'sales' },
    };
    await notifyCall(call, undefined);
    const options = (create.mock.calls[0] as unknown as [string, { title: string; message: string }])[1];
    expect(options.title).toBe('\u2068Anngnp.exeX: y\u2069');
    expect(options.message).toBe('\u2068+15550001\u2069 · \u2068sales\u2069');
  });
});
