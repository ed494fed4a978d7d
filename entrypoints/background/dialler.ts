import { browser } from 'wxt/browser';
import { planDial } from '@/utils/dial/plan-dial';
import { numberPart } from '@/utils/dial/dial-number';
import { preparePhoneMetadata } from '@/utils/templates/phone-metadata';
import { missedCallIdOf } from './notifications';
import type { DialReply } from '@/utils/messages';
import { worker } from './worker';

/**
 * Places a call the user asked for, from wherever they asked (dial box, history, context menu,
 * a missed call's notification, a `tel:` link): the number is normalised and checked, the phone is
 * one of the user's own, and a repeat of the same request within seconds places nothing.
 */
export async function placeCall(input: string, phone?: string, asDialled = false): Promise<DialReply> {
  const w = await worker();
  // The number plans this number needs (home country, and its own calling code) before reading it.
  const written = numberPart(input);
  await preparePhoneMetadata(written.ok ? written.value : input, w.settings.numbers.homeCountry);
  const plan = planDial(input, w.settings, phone, asDialled);
  if (!plan.ok) return { ok: false, reason: plan.error };
  const dial = w.connector?.dial;
  if (!dial) {
    const why = w.settings.connection.kind === 'json-sse'
      ? 'a Server-Sent Events stream only listens; use the WebSocket stream or ARI to place calls'
      : 'no PBX connection is configured';
    return { ok: false, reason: why };
  }
  const display = plan.value.number.display;
  const card = w.dials.begin(plan.value);
  if (!card) return { ok: true, display, duplicate: true };
  w.view.changed();
  const outcome = await dial(plan.value);
  if (outcome.ok) w.dials.placed(card.id, outcome.callId);
  else w.dials.failed(card.id, outcome.reason);
  w.view.changed();
  // The card goes by itself (the call shows, or the refusal times out): publish once more then.
  setTimeout(() => w.view.changed(), 16_000);
  return outcome.ok ? { ok: true, display } : { ok: false, reason: outcome.reason };
}

export const MENU_LINK = 'ctipop-call-link';
export const MENU_SELECTION = 'ctipop-call-selection';
/**
 * The link item shows only on phone links. Chromium and Firefox take these as match patterns for
 * the link's URL; where a browser refuses a pattern it is left out (see README, "Click-to-dial").
 */
const PHONE_LINKS = ['tel:*', 'callto:*', 'sip:*'];

/** Menus persist in both browsers; they are made again on install and update. */
export async function createDialMenus(): Promise<void> {
  await browser.contextMenus.removeAll();
  const link = { id: MENU_LINK, contexts: ['link'] as ['link'], title: browser.i18n.getMessage('menuCallLink') };
  try {
    await new Promise<void>((resolve, reject) => {
      browser.contextMenus.create({ ...link, targetUrlPatterns: PHONE_LINKS }, () => (browser.runtime.lastError ? reject(new Error(browser.runtime.lastError.message)) : resolve()));
    });
  } catch {
    await browser.contextMenus.remove(MENU_LINK).catch(() => undefined);
  }
  browser.contextMenus.create({ id: MENU_SELECTION, contexts: ['selection'], title: browser.i18n.getMessage('menuCallSelection') });
}

/** A click on our context-menu item: the link's URL or the selected text is the only input taken from the page. */
export async function dialFromMenu(info: { menuItemId: string | number; linkUrl?: string; selectionText?: string }): Promise<DialReply> {
  const input = info.menuItemId === MENU_LINK ? info.linkUrl : info.menuItemId === MENU_SELECTION ? info.selectionText : undefined;
  if (input === undefined) return { ok: false, reason: 'not a CTI Pop menu item' };
  const reply = await placeCall(input);
  if (!reply.ok) await notifyRefused(reply.reason);
  return reply;
}

/** Missed call → "Call back" (notification button on Chrome, a click on Firefox, which has no buttons). */
export async function callBackFromNotification(notificationId: string): Promise<void> {
  const callId = missedCallIdOf(notificationId);
  if (!callId) return;
  void browser.notifications.clear(notificationId);
  const entry = (await worker()).view.current().history.find((h) => h.id === callId);
  if (!entry?.number) return;
  const reply = await placeCall(entry.number);
  if (!reply.ok) await notifyRefused(reply.reason);
}

async function notifyRefused(reason: string) {
  await browser.notifications.create(`dial-refused:${Date.now()}`, {
    type: 'basic',
    iconUrl: browser.runtime.getURL('/icon/128.png'),
    title: browser.i18n.getMessage('notificationDialRefused'),
    message: reason,
  });
}
