import type { Call } from '../calls/call';
import type { Settings } from '../settings/schema';

export interface PlannedRequest {
  point: 'inbound' | 'outbound' | 'application';
  template: string;
}

/**
 * The general pre-call control of CTI.md §1: inbound for calls the user is rung by, outbound for
 * calls the user places. Internal calls get none: a colleague is no CRM contact, and USERS.md's
 * complaint #8 is exactly about internal calls treated as customer calls.
 */
export function preCallRequests(settings: Settings, call: Call): PlannedRequest[] {
  const template = call.direction === 'inbound' ? settings.cti.inboundUrl : call.direction === 'outbound' ? settings.cti.outboundUrl : '';
  return template ? [{ point: call.direction === 'inbound' ? 'inbound' : 'outbound', template }] : [];
}

/**
 * Per-application rules matching the application the call just entered, in the configured order.
 * A reply with `break` stops the ones after it (the engine walks this list).
 */
export function applicationRequests(settings: Settings, call: Call, application: { type: string; name: string }): PlannedRequest[] {
  return settings.cti.applicationRules
    .filter(
      (rule) =>
        rule.url &&
        rule.type === application.type &&
        (!rule.name || rule.name === application.name) &&
        (rule.direction === 'any' || rule.direction === call.direction) &&
        (!rule.did || rule.did === (call.variables.did ?? '')),
    )
    .map((rule) => ({ point: 'application' as const, template: rule.url }));
}

export type PopDecision = { pop: true } | { pop: false; reason: 'not-yet' | 'direction' | 'do-not-disturb' | 'no-url' };

/** Whether this lifecycle step is the moment to pop the call (each call pops at most once). */
export function popDecision(settings: Settings, call: Call, step: 'ringing' | 'answered'): PopDecision {
  const b = settings.behaviour;
  if (!settings.cti.popupUrl) return { pop: false, reason: 'no-url' };
  const wanted = call.direction === 'inbound' ? b.popInbound : call.direction === 'outbound' ? b.popOutbound : b.popInternal;
  if (!wanted) return { pop: false, reason: 'direction' };
  // Outbound calls never "ring" at the user: their pop moment is when the call is placed or answered.
  if (b.popOn === 'answer' && step !== 'answered') return { pop: false, reason: 'not-yet' };
  if (b.doNotDisturb) return { pop: false, reason: 'do-not-disturb' };
  return { pop: true };
}

/** Whether the connection applies CTI replies to real calls: ARI in control mode, or the JSON WebSocket's control messages. */
export function appliesReplies(settings: Settings): boolean {
  const c = settings.connection;
  return c.kind === 'json-ws' || (c.kind === 'ari' && c.control);
}
