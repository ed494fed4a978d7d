import { describeError } from '../result';
import { originOf } from './describe';
import { parseRetryAfter } from './retry-after';

export type SendOutcome =
  | { kind: 'delivered'; status: number }
  | { kind: 'retry'; error: string; status?: number; retryAfterMs?: number }
  | { kind: 'dead'; error: string; status?: number };

export interface SendOptions {
  fetch: typeof fetch;
  now: () => number;
  timeoutMs: number;
  /** Aborting cuts the send off; the outcome is then meaningless and must not be recorded. */
  signal?: AbortSignal;
}

/**
 * Sends one post-call GET and classifies the answer: 2xx delivered; no answer, 408, 429 or 5xx
 * worth retrying; anything else (other 4xx, a redirect) needs a person and is a dead letter.
 * The reply body is ignored (CTI.md §1) and the connection released at once.
 *
 * A redirect is not followed (`redirect: 'manual'`): it usually means a login page, so the CRM did
 * not take the record. In a browser it arrives as an opaque-redirect response with status 0.
 * With host permission for the CRM's origin no CORS applies. Without it the request goes through
 * CORS (`Idempotency-Key` needs a preflight): a CRM that does not allow it fails as a network error
 * and is retried until the permission is granted, and one that allows it must also list
 * `Retry-After` in `Access-Control-Expose-Headers`, or the browser hides it and our own backoff applies.
 */
export async function sendRecord(key: string, url: string, opts: SendOptions): Promise<SendOutcome> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error('timeout')), opts.timeoutMs);
  const cut = () => controller.abort(opts.signal?.reason);
  opts.signal?.addEventListener('abort', cut, { once: true });
  try {
    const response = await opts.fetch(url, {
      method: 'GET',
      headers: { 'Idempotency-Key': key },
      credentials: 'omit',
      cache: 'no-store',
      redirect: 'manual',
      signal: controller.signal,
    });
    response.body?.cancel().catch(() => undefined);
    return classify(response, opts.now());
  } catch (error) {
    if (controller.signal.aborted && !opts.signal?.aborted) {
      return { kind: 'retry', error: `no answer within ${opts.timeoutMs} ms` };
    }
    return { kind: 'retry', error: `could not reach ${originOf(url)}: ${describeError(error)}` };
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', cut);
  }
}

function classify(response: Response, now: number): SendOutcome {
  const { status } = response;
  if (response.type === 'opaqueredirect' || (status >= 300 && status < 400)) {
    return { kind: 'dead', status, error: 'the server answered with a redirect (a login page?); use the final address as the post-call URL' };
  }
  if (status >= 200 && status < 300) return { kind: 'delivered', status };
  const text = `HTTP ${`${status} ${response.statusText}`.trim()}`;
  if (status === 408 || status === 429 || status >= 500) {
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), now);
    return { kind: 'retry', status, error: text, ...(retryAfterMs !== undefined && { retryAfterMs }) };
  }
  return { kind: 'dead', status, error: `${text}: the server refused the record; fix the post-call URL or the CRM, then retry` };
}
