import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import { I18nContext } from '@/components/i18n-context';
import { formatCallTime } from '@/components/history-model';
import { PopupView } from '@/components/popup-view';
import { send } from '@/utils/adapters/messaging';
import { createTranslate } from '@/utils/i18n';
import { useView } from '../sidepanel/use-view';
import '@/components/theme.css';
import '../sidepanel/style.css';
import './style.css';

const t = createTranslate((key, subs) => browser.i18n.getMessage(key as never, subs));
const locale = browser.i18n.getUILanguage();
document.documentElement.lang = locale;

/** Chrome's side panel API is not in the polyfill; Firefox has sidebarAction instead. */
interface ChromeSidePanel {
  open(options: { windowId: number }): Promise<void>;
}
const chromeSidePanel = (globalThis as { chrome?: { sidePanel?: ChromeSidePanel } }).chrome?.sidePanel;
const sidebarAction = (browser as unknown as { sidebarAction?: { open(): Promise<void> } }).sidebarAction;

function App() {
  const { view, error, now } = useView();
  // Known before the click: both open() calls must run synchronously inside the user gesture.
  const [windowId, setWindowId] = useState<number>();
  useEffect(() => void browser.windows.getCurrent().then((win) => setWindowId(win.id)), []);
  const openPanel = chromeSidePanel?.open
    ? () => windowId !== undefined && void chromeSidePanel.open({ windowId }).then(() => window.close())
    : sidebarAction?.open
      ? () => void sidebarAction.open().then(() => window.close())
      : undefined;
  return (
    <PopupView
      view={view}
      now={now}
      error={error}
      recent={5}
      formatTime={(ms) => formatCallTime(ms, now, locale)}
      onOpenPanel={openPanel}
      onOpenOptions={() => void browser.runtime.openOptionsPage().then(() => window.close())}
      onDoNotDisturb={(on) => void send('setDoNotDisturb', { on })}
    />
  );
}

render(
  <I18nContext.Provider value={t}>
    <App />
  </I18nContext.Provider>,
  document.getElementById('app')!,
);
