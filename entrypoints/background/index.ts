import { registerHandlers } from '@/utils/adapters/messaging';
import { openInTab, openPanel } from '@/utils/adapters/pop-target';
import { handlers } from './handlers';
import { callIdOf, missedCallIdOf, OPEN_BUTTON } from './notifications';
import { OUTBOX_ALARM, WATCHDOG_ALARM } from './alarms';
import { followViewWithBadge } from './badge';
import { onUpdated } from './update';
import { worker } from './worker';
import { callBackFromNotification, createDialMenus, dialFromMenu } from './dialler';

/**
 * Wiring only. Every listener is registered synchronously on each start of the worker, as MV3
 * requires for events to wake it; the work lives in worker.ts and utils/.
 */
export default defineBackground(() => {
  registerHandlers(handlers);
  followViewWithBadge();

  // Chrome stops an idle worker after ~30 s; an alarm every 30 s (the minimum) wakes it, and the
  // wake-up reconnects a stream that died with the previous worker.
  void browser.alarms.create(WATCHDOG_ALARM, { periodInMinutes: 0.5 });
  browser.alarms.onAlarm.addListener(async (alarm) => {
    const w = await worker();
    if (alarm.name === WATCHDOG_ALARM) w.connection?.poke();
    if (alarm.name === OUTBOX_ALARM) void w.outbox.flush();
  });
  browser.runtime.onStartup.addListener(() => void worker());
  browser.runtime.onInstalled.addListener(({ reason, previousVersion }) => {
    if (reason === 'install') void browser.runtime.openOptionsPage();
    if (reason === 'update') void onUpdated(previousVersion);
    void createDialMenus();
  });
  browser.contextMenus.onClicked.addListener((info) => void dialFromMenu(info));
  browser.idle.onStateChanged.addListener(async (state) => {
    if (state === 'active') (await worker()).connection?.poke();
  });
  globalThis.addEventListener('online', async () => (await worker()).connection?.poke());

  // sidePanel.open() must run inside the click's user gesture, which does not survive an await:
  // so the window to open it in is known before any click comes.
  let focusedWindow: number | undefined;
  void browser.windows.getLastFocused().then((w) => (focusedWindow ??= w.id));
  browser.windows.onFocusChanged.addListener((id) => {
    if (id !== browser.windows.WINDOW_ID_NONE) focusedWindow = id;
  });

  const openCallFromNotification = (id: string) => {
    const callId = callIdOf(id);
    if (!callId) return;
    const panel = openPanel(focusedWindow);
    void (async () => {
      const w = await worker();
      void browser.notifications.clear(id);
      // Where the browser refused the panel (or the pop target is a tab), the page opens in a tab.
      if (w.settings.behaviour.target === 'sidepanel' && (await panel)) return;
      const card = w.view.current().calls.find((c) => c.call.id === callId);
      if (card?.pop.url) await openInTab(card.pop.url, w.settings.behaviour.reuseTab, true);
    })();
  };
  browser.notifications.onClicked.addListener(openCallFromNotification);
  // Firefox has no notification buttons: a click on a missed call's notification calls back.
  if (import.meta.env.FIREFOX) browser.notifications.onClicked.addListener((id) => void callBackFromNotification(id));
  browser.notifications.onButtonClicked?.addListener((id, button) => {
    if (missedCallIdOf(id)) void callBackFromNotification(id);
    else if (button === OPEN_BUTTON) openCallFromNotification(id);
    else void browser.notifications.clear(id);
  });
  browser.commands.onCommand.addListener((command) => {
    if (command === 'open-panel') void openPanel(focusedWindow);
  });

  void worker();
});
