import { browser } from 'wxt/browser';
import { REQUEST_SCHEMAS, type Handlers, type MessageMap, type MessageName } from '../messages';
import { describeError, type Result } from '../result';

export type MessageResult<T> = Result<T>;

/** What crosses `runtime.sendMessage`: the request, and the reply as a value (never a thrown error). */
interface Envelope {
  ctipop: 1;
  name: string;
  req: unknown;
}

/**
 * Asks the background. Never throws: a missing background or a failing handler comes back as
 * `{ ok: false, error }` with a sentence a person can act on.
 *
 * @example const view = await send('getView', {});
 */
export async function send<K extends MessageName>(name: K, req: MessageMap[K]['req']): Promise<MessageResult<MessageMap[K]['res']>> {
  const envelope: Envelope = { ctipop: 1, name, req };
  try {
    const reply = (await browser.runtime.sendMessage(envelope)) as MessageResult<MessageMap[K]['res']> | undefined;
    if (!reply || typeof reply !== 'object' || typeof reply.ok !== 'boolean') {
      return { ok: false, error: `The background did not answer "${name}".` };
    }
    return reply;
  } catch (cause) {
    const message = describeError(cause);
    return { ok: false, error: `The background could not be reached for "${name}" (${message}). Reload the extension if this persists.` };
  }
}

/**
 * Registers the background's handlers as one object typed by MessageMap, so a missing handler is a
 * compile error. Call it synchronously at the top of the background so a message that wakes the
 * worker finds its listener. Only this extension's own pages are answered (`sender.id`), and each
 * request must pass its schema (REQUEST_SCHEMAS) before its handler sees it.
 */
export function registerHandlers(handlers: Handlers, signal?: AbortSignal): void {
  // sendResponse + `return true` is the one reply style Chrome, Firefox, the polyfill and
  // WXT's fakeBrowser all understand (returning a Promise is not honoured by all of them).
  const listener = (message: unknown, sender: { id?: string } | undefined, sendResponse: (reply: MessageResult<unknown>) => void): true | undefined => {
    if (sender?.id !== browser.runtime.id) return undefined;
    if (!isEnvelope(message) || !Object.hasOwn(handlers, message.name)) return undefined;
    const name = message.name as MessageName;
    const checked = REQUEST_SCHEMAS[name].safeParse(message.req);
    if (!checked.success) {
      const fields = [...new Set(checked.error.issues.map((issue) => issue.path.join('.') || 'the request'))].join(', ');
      sendResponse({ ok: false, error: `The "${name}" request was refused: ${fields} invalid.` });
      return undefined;
    }
    const handler = handlers[name] as (req: unknown) => Promise<unknown>;
    handler(checked.data).then(
      (value) => sendResponse({ ok: true, value }),
      (cause: unknown) => sendResponse({ ok: false, error: describeError(cause) }),
    );
    return true;
  };
  browser.runtime.onMessage.addListener(listener);
  signal?.addEventListener('abort', () => browser.runtime.onMessage.removeListener(listener), { once: true });
}

function isEnvelope(message: unknown): message is Envelope {
  return typeof message === 'object' && message !== null && (message as Envelope).ctipop === 1 && typeof (message as Envelope).name === 'string';
}
