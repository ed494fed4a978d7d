/**
 * Why Asterisk did not originate, in words a user can act on. A 403 is a `read_only` ARI user.
 * Asterisk answers "Allocation failed" (500) both for an endpoint it does not know and for a phone
 * that is not registered, so the endpoint's own state (`GET /ari/endpoints/{tech}/{resource}`,
 * which a read-only user may read too) tells them apart.
 *
 * @example originateRefusal(500, 'Allocation failed', 'PJSIP/100', { status: 200, state: 'offline' })
 *   // → 'your phone PJSIP/100 is offline (not registered with the PBX)'
 */
export function originateRefusal(status: number, message: string, endpoint: string, endpointInfo?: { status: number; state?: string }): string {
  if (status === 401) return 'the PBX refused the ARI credentials';
  if (status === 403) return 'the ARI user may not place calls (read_only = yes); the admin must give a write-capable ARI user for click-to-dial';
  if (endpointInfo?.status === 404) return `the PBX does not know the endpoint ${endpoint}`;
  if (endpointInfo?.state === 'offline') return `your phone ${endpoint} is offline (not registered with the PBX)`;
  if (status === 400) return `the PBX refused the request: ${message || 'bad request'}`;
  return `the PBX could not ring ${endpoint}: ${message || `HTTP ${status}`}`;
}
