import { browser } from 'wxt/browser';
import type { Call } from '@/utils/calls/call';
import { cleanValue } from '@/utils/templates/clean-value';
import type { CallActivity } from '@/utils/engine/cti-engine';

const PREFIX = 'call:';

/** The notification id of a call: one per call, so an update replaces it instead of stacking. */
export const notificationId = (callId: string) => `${PREFIX}${callId}`;
export const callIdOf = (notificationId: string) => (notificationId.startsWith(PREFIX) ? notificationId.slice(PREFIX.length) : undefined);

/** Notification button indexes (Chrome): open the caller's page, or just close the notification. */
export const OPEN_BUTTON = 0;

/** Shows (or updates) the incoming-call notification; its click opens the pop-up. */
export async function notifyCall(call: Call, _activity: CallActivity | undefined): Promise<void> {
  // Caller IDs are anyone's to set: cleaned as on every screen (no line breaks, no bidi overrides).
  // Then isolated (U+2068 … U+2069, plain text's <bdi>): a right-to-left name cannot reorder the rest.
  const name = isolated(call.variables.calleridname);
  const number = isolated(call.variables.calleridnumber);
  const app = call.variables.application ? ` · ${isolated(call.variables.application)}` : '';
  await browser.notifications.create(notificationId(call.id), {
    type: 'basic',
    iconUrl: browser.runtime.getURL('/icon/128.png'),
    title: name || number || browser.i18n.getMessage('notificationUnknownCaller'),
    message: `${name ? number : ''}${app}`.trim() || ' ',
    contextMessage: browser.i18n.getMessage('notificationClickToOpen'),
    // Firefox rejects the whole notification over an option it does not know (silent,
    // requireInteraction: "Unexpected properties"), so Chrome-only options go to Chrome only.
    // Firefox has no notification buttons either: there a click on the notification opens it.
    ...(import.meta.env.FIREFOX
      ? {}
      : { silent: true, buttons: [{ title: browser.i18n.getMessage('notificationOpen') }, { title: browser.i18n.getMessage('notificationDismiss') }] }),
  });
}

function isolated(value: string | undefined): string {
  const text = cleanValue(value ?? '');
  return text && `\u2068${text}\u2069`;
}

const MISSED = 'missed:';
export const missedCallIdOf = (notificationId: string) => (notificationId.startsWith(MISSED) ? notificationId.slice(MISSED.length) : undefined);

/** A missed inbound call with a number to call back: a notification offering to. */
export async function notifyMissed(call: Call): Promise<void> {
  const name = isolated(call.variables.calleridname);
  const number = isolated(call.variables.calleridnumber);
  await browser.notifications.create(`${MISSED}${call.id}`, {
    type: 'basic',
    iconUrl: browser.runtime.getURL('/icon/128.png'),
    title: browser.i18n.getMessage('notificationMissed'),
    message: name ? `${name} ${number}` : number,
    ...(import.meta.env.FIREFOX
      ? { contextMessage: browser.i18n.getMessage('notificationClickToCallBack') }
      : { silent: true, buttons: [{ title: browser.i18n.getMessage('notificationCallBack') }] }),
  });
}

export async function clearNotification(callId: string): Promise<void> {
  await browser.notifications.clear(notificationId(callId));
}
