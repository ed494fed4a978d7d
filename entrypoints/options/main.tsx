import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import { I18nContext } from '@/components/i18n-context';
import { isGranted } from '@/components/options/grants';
import { OptionsApp, type SaveOutcome } from '@/components/options/options-app';
import { send } from '@/utils/adapters/messaging';
import { loadSettings, saveSettings, subscribeSettings, type LoadedSettings } from '@/utils/adapters/settings-storage';
import { exportSettings, importSettings } from '@/utils/settings/export-settings';
import type { SettingsPatch } from '@/utils/settings/settings-diff';
import { createTranslate } from '@/utils/i18n';
import '@/components/theme.css';
import './style.css';

const t = createTranslate((key, subs) => browser.i18n.getMessage(key as never, subs));
document.documentElement.lang = browser.i18n.getUILanguage();
document.title = t('options_title');

async function grantedOrigins(): Promise<string[]> {
  return (await browser.permissions.getAll()).origins ?? [];
}

/** Least privilege: drop host permissions no configured URL needs any more. */
async function dropUnused(needed: string[]): Promise<void> {
  const unused = (await grantedOrigins()).filter((origin) => !needed.includes(origin));
  if (unused.length) await browser.permissions.remove({ origins: unused }).catch(() => undefined);
}

function App() {
  const [loaded, setLoaded] = useState<LoadedSettings>();
  const [granted, setGranted] = useState<string[]>([]);
  useEffect(() => {
    const controller = new AbortController();
    const refresh = () => void grantedOrigins().then(setGranted);
    // On a fresh install Chromium takes seconds to answer storage.managed: settings stored in the
    // meantime arrive through the subscription, and the first read, answered later, is older.
    let pushed = false;
    subscribeSettings((next) => {
      pushed = true;
      setLoaded(next);
    }, controller.signal);
    void loadSettings().then((first) => {
      if (!pushed && !controller.signal.aborted) setLoaded(first);
    });
    refresh();
    browser.permissions.onAdded.addListener(refresh);
    browser.permissions.onRemoved.addListener(refresh);
    return () => {
      controller.abort();
      browser.permissions.onAdded.removeListener(refresh);
      browser.permissions.onRemoved.removeListener(refresh);
    };
  }, []);

  const onSave = (patch: SettingsPatch, origins: string[]): SaveOutcome => {
    // First statement, no await before it: permissions.request needs the Save click's user gesture.
    // Saving does not wait for the prompt, which stays open until the user answers it.
    const asked = origins.length ? browser.permissions.request({ origins }).catch(() => false) : Promise.resolve(true);
    const saved = saveSettings(patch).then((result) => {
      if (result.ok) setLoaded(result.value);
      return result.ok ? { ok: true as const } : result;
    });
    const notGranted = Promise.all([asked, saved]).then(async () => {
      await dropUnused(origins);
      const now = await grantedOrigins();
      setGranted(now);
      return origins.filter((o) => !isGranted(o, now));
    });
    return { saved, notGranted };
  };

  const onExport = (includeSecrets: boolean) => {
    if (!loaded) return;
    const url = URL.createObjectURL(new Blob([exportSettings(loaded.user, { includeSecrets })], { type: 'application/json' }));
    const link = Object.assign(document.createElement('a'), { href: url, download: 'cti-pop-settings.json' });
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  };

  return (
    <OptionsApp
      loaded={loaded}
      granted={granted}
      onSave={onSave}
      onGrant={(origins) => void browser.permissions.request({ origins }).catch(() => false)}
      onExport={onExport}
      importSettings={importSettings}
      onRun={(call) => send('runTestBench', call)}
      onTestConnection={() => send('testConnection', {})}
      onSignOut={(discardQueued) => send('signOut', { discardQueued })}
    />
  );
}

render(
  <I18nContext.Provider value={t}>
    <App />
  </I18nContext.Provider>,
  document.getElementById('app')!,
);
