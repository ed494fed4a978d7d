import { ariRequestUrl } from '../connectors/ari-control';
import type { DialOutcome } from '../connectors/connector';
import type { Settings } from '../settings/schema';
import { originateRefusal } from './originate-refusal';
import { ariOriginateRequest, type DialPlan } from './plan-dial';

/** One ARI REST request may take this long. */
const REST_TIMEOUT_MS = 3000;

/**
 * Click-to-dial over ARI: `POST /ari/channels` rings the user's phone, then the dialplan dials the
 * number. The key goes in the query (as for every ARI request of ours: no preflight). On a refusal
 * the endpoint's state (`GET /ari/endpoints/…`) tells an unknown endpoint from an offline phone.
 */
export function createAriDial(o: { url: string; secret: string; dialling: Pick<Settings['dialling'], 'context' | 'callerId' | 'ringTimeoutS'>; fetch?: typeof fetch; newId?: () => string }) {
  const doFetch = o.fetch ?? globalThis.fetch.bind(globalThis);
  const keyed = (url: string) => {
    const u = new URL(url);
    u.searchParams.set('api_key', o.secret);
    return u.href;
  };
  return async (plan: DialPlan): Promise<DialOutcome> => {
    const channelId = `ctipop-${o.newId?.() ?? crypto.randomUUID()}`;
    const d = o.dialling;
    const request = ariOriginateRequest(plan, { context: d.context, callerId: d.callerId, ringTimeoutS: d.ringTimeoutS }, channelId);
    if (!request.ok) return { ok: false, reason: request.error };
    const call = (path: string, method: 'GET' | 'POST') =>
      doFetch(keyed(ariRequestUrl(o.url, { method: 'POST', path, query: method === 'GET' ? {} : request.value.query })), { method, credentials: 'omit', cache: 'no-store', signal: AbortSignal.timeout(REST_TIMEOUT_MS) });
    try {
      const response = await call(request.value.path, 'POST');
      if (response.ok) return { ok: true, callId: channelId };
      const message = String(((await response.json().catch(() => ({}))) as { message?: unknown }).message ?? '');
      const [tech = '', resource = ''] = plan.endpoint.split('/');
      const info = response.status === 401 || response.status === 403 ? undefined
        : await call(`/ari/endpoints/${encodeURIComponent(tech)}/${encodeURIComponent(resource)}`, 'GET')
          .then(async (r) => ({ status: r.status, state: r.ok ? String(((await r.json()) as { state?: unknown }).state) : undefined }))
          .catch(() => undefined);
      return { ok: false, reason: originateRefusal(response.status, message, plan.endpoint, info) };
    } catch (error) {
      return { ok: false, reason: `ARI unreachable: ${(error as Error).message}` };
    }
  };
}
