import type { AriRequest } from '../connectors/ari-control';
import type { Result } from '../result';
import type { Settings } from '../settings/schema';
import { dialNumber, DIAL_STRING, type DialNumber, type DialRules } from './dial-number';

/** What the admin and the user decided: nothing here comes from the page or the selection. */
export interface DialTarget {
  /** The user's phone that rings first, e.g. `PJSIP/100`. */
  endpoint: string;
  context: string;
  callerId: string;
  ringTimeoutS: number;
}

export interface DialPlan {
  number: DialNumber;
  endpoint: string;
}

const ENDPOINT = /^[A-Za-z0-9_-]{1,32}\/[A-Za-z0-9_.+-]{1,96}$/;
const CONTEXT = /^[A-Za-z0-9_.-]{1,80}$/;

export function dialRules(s: Pick<Settings, 'numbers' | 'dialling'>): DialRules {
  const d = s.dialling;
  return { homeCountry: s.numbers.homeCountry, outsidePrefix: d.outsidePrefix, intlPrefix: d.intlPrefix, internalDigits: d.internalDigits, sendAs: d.sendAs };
}

/**
 * The phone that rings: the one the user picked in the side panel (`choice`), else the setting,
 * else the first endpoint. Only an endpoint the settings list can ring: a page never names one.
 */
export function dialPhone(s: Pick<Settings, 'connection' | 'dialling'>, choice?: string): Result<string> {
  const mine = s.connection.endpoints;
  if (!mine.length) return { ok: false, error: 'no phone is configured: add your endpoint (e.g. PJSIP/100) in the options' };
  const wanted = choice || s.dialling.phone || mine[0]!;
  const endpoint = mine.find((e) => e.toLowerCase() === wanted.toLowerCase());
  if (!endpoint) return { ok: false, error: `${wanted} is not one of your phones (${mine.join(', ')})` };
  if (!ENDPOINT.test(endpoint)) return { ok: false, error: `${endpoint} is not an endpoint the PBX can ring (technology/resource, e.g. PJSIP/100)` };
  return { ok: true, value: endpoint };
}

/**
 * A number from anywhere → the number to dial and the phone to ring, or why not. `asDialled` is for
 * a number the PBX itself reported as dialled (an outbound call's `exten`, prefixes included): it
 * is dialled again as it is, if it is digits only, instead of being read as a written number.
 */
export function planDial(input: string, s: Pick<Settings, 'numbers' | 'dialling' | 'connection'>, choice?: string, asDialled = false): Result<DialPlan> {
  const number: Result<DialNumber> = asDialled && DIAL_STRING.test(input)
    ? { ok: true, value: { dial: input, display: input, kind: input.length <= s.dialling.internalDigits ? 'internal' : 'outside', e164: input.startsWith('+') ? input : '' } }
    : dialNumber(input, dialRules(s));
  if (!number.ok) return number;
  const endpoint = dialPhone(s, choice);
  if (!endpoint.ok) return endpoint;
  return { ok: true, value: { number: number.value, endpoint: endpoint.value } };
}

/**
 * ARI originate (`POST /ari/channels`): Asterisk rings `endpoint` first (its channel runs
 * `AppDial2`), and once the phone answers, runs the dialplan at `extension` in `context`. The
 * `channelId` we choose becomes the call's uniqueid, so the "Calling …" card knows its call.
 * Every value is checked again here: whatever called this, only digits reach `extension`.
 */
export function ariOriginateRequest(plan: DialPlan, target: Omit<DialTarget, 'endpoint'>, channelId: string): Result<AriRequest> {
  if (!DIAL_STRING.test(plan.number.dial)) return { ok: false, error: `"${plan.number.dial}" is not a dial string` };
  if (!ENDPOINT.test(plan.endpoint)) return { ok: false, error: `"${plan.endpoint}" is not an endpoint` };
  if (!CONTEXT.test(target.context)) return { ok: false, error: `"${target.context}" is not a dialplan context` };
  const query: Record<string, string> = {
    endpoint: plan.endpoint,
    extension: plan.number.dial,
    context: target.context,
    priority: '1',
    timeout: String(target.ringTimeoutS),
    callerId: target.callerId || `"${plan.number.display}" <${plan.number.dial}>`,
    channelId,
  };
  return { ok: true, value: { method: 'POST', path: '/ari/channels', query } };
}

/** The `dial` control frame of the event stream (protocol v1): the server decides the rest. */
export function dialFrame(plan: DialPlan, ref: string) {
  return { type: 'dial' as const, ref, endpoint: plan.endpoint, number: plan.number.dial };
}
