import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { browser } from 'wxt/browser';
import { loadSettings, saveSettings, subscribeSettings } from '@/utils/adapters/settings-storage';
import { DEFAULT_SETTINGS } from '@/utils/settings/schema';

describe('settings storage adapter', () => {
  beforeEach(() => {
    fakeBrowser.reset();
    vi.restoreAllMocks();
  });

  it('loads defaults when nothing is stored', async () => {
    const loaded = await loadSettings();
    expect(loaded.settings).toEqual(DEFAULT_SETTINGS);
    expect(loaded.locked.size).toBe(0);
    expect(loaded.problems).toEqual([]);
  });

  it('stores only values that differ from the defaults, with the version, in storage.local', async () => {
    const saved = await saveSettings({ connection: { url: 'wss://pbx/ws', secret: 'tok' }, behaviour: { popOn: 'ring' } });
    expect(saved.ok).toBe(true);
    expect(await browser.storage.local.get(null)).toEqual({
      settings: { connection: { url: 'wss://pbx/ws', secret: 'tok' } },
      settingsVersion: 1,
    });
  });

  it('refuses an invalid value and stores nothing', async () => {
    const saved = await saveSettings({ advanced: { lookupTimeoutMs: 5 } });
    expect(saved).toEqual({ ok: false, error: expect.stringMatching(/^advanced\.lookupTimeoutMs: /) });
    expect(await browser.storage.local.get(null)).toEqual({});
  });

  it('repairs a bad stored field alone and reports it', async () => {
    await browser.storage.local.set({ settings: { connection: { url: 'wss://pbx/ws' }, behaviour: { target: 'moon' } }, settingsVersion: 1 });
    const loaded = await loadSettings();
    expect(loaded.settings.connection.url).toBe('wss://pbx/ws');
    expect(loaded.settings.behaviour.target).toBe('sidepanel');
    expect(loaded.problems).toEqual([expect.stringMatching(/^behaviour\.target: /)]);
  });

  it('treats Firefox\'s "Managed storage manifest not found" as no policy', async () => {
    vi.spyOn(browser.storage.managed, 'get').mockRejectedValue(new Error('Managed storage manifest not found'));
    const loaded = await loadSettings();
    expect(loaded.problems).toEqual([]);
    expect(loaded.locked.size).toBe(0);
  });

  it('applies and locks policy, and never writes a locked field', async () => {
    vi.spyOn(browser.storage.managed, 'get').mockResolvedValue({ connection: { url: 'wss://corp/ws' } } as never);
    const loaded = await loadSettings();
    expect(loaded.settings.connection.url).toBe('wss://corp/ws');
    expect([...loaded.locked]).toEqual(['connection.url']);
    const saved = await saveSettings({ connection: { url: 'wss://corp/ws', endpoints: ['PJSIP/7'] } });
    expect(saved.ok).toBe(true);
    expect(await browser.storage.local.get('settings')).toEqual({ settings: { connection: { endpoints: ['PJSIP/7'] } } });
  });

  it('notifies subscribers of changes until aborted', async () => {
    const seen: string[] = [];
    const controller = new AbortController();
    subscribeSettings((loaded) => seen.push(loaded.settings.connection.url), controller.signal);
    await saveSettings({ connection: { url: 'wss://a/ws' } });
    await vi.waitFor(() => expect(seen).toEqual(['wss://a/ws']));
    controller.abort();
    await saveSettings({ connection: { url: 'wss://b/ws' } });
    await new Promise((r) => setTimeout(r, 20));
    expect(seen).toEqual(['wss://a/ws']);
  });
});
