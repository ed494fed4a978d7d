import { render } from 'preact';
import { browser } from 'wxt/browser';
import { I18nContext } from '@/components/i18n-context';
import { formatCallTime } from '@/components/history-model';
import { SidePanel } from '@/components/side-panel';
import { send } from '@/utils/adapters/messaging';
import { createTranslate } from '@/utils/i18n';
import { useView } from './use-view';
import '@/components/theme.css';
import './style.css';

const t = createTranslate((key, subs) => browser.i18n.getMessage(key as never, subs));
const locale = browser.i18n.getUILanguage();
document.documentElement.lang = locale;
document.title = t('extName');

function App() {
  const { view, error, now } = useView();
  return (
    <SidePanel
      view={view}
      now={now}
      error={error}
      formatTime={(ms) => formatCallTime(ms, now, locale)}
      onDoNotDisturb={(on) => void send('setDoNotDisturb', { on })}
      onRetry={(key) => void send('retryDeadLetter', { key })}
      onOpenInTab={(callId) => void send('openCallPage', { callId, where: 'tab' })}
      onOpenOptions={() => void browser.runtime.openOptionsPage()}
      onDial={(input, phone, asDialled) => send('dial', { input, phone: phone || undefined, asDialled }).then((r) => (r.ok ? r.value : { ok: false as const, reason: r.error }))}
    />
  );
}

// Pops go to the panel only while it is open. `pagehide` is best effort: a message sent while
// the page is torn down may not arrive, so the panel reports itself every 10 s and the background
// treats a panel silent for 25 s as closed.
const present = () => void browser.windows.getCurrent().then((win) => send('panelPresence', { open: true, windowId: win.id }));
present();
setInterval(present, 10_000);
addEventListener('pagehide', () => void send('panelPresence', { open: false }));

render(
  <I18nContext.Provider value={t}>
    <App />
  </I18nContext.Provider>,
  document.getElementById('app')!,
);
