import type { ClientFrame, ServerFrame } from '../../utils/connectors/json-protocol';
import type { Result } from '../../utils/result';
import type { Scenario } from './scenario';

export type DialFrame = Extract<ClientFrame, { type: 'dial' }>;
export type DialResultFrame = Extract<ServerFrame, { type: 'dial-result' }>;

/** How an originated call plays out, in scenario ms: the user's phone rings, is picked up, then the number rings and answers. */
export interface DialTiming {
  answerMs: number;
  farRingMs: number;
  farAnswerMs: number;
  talkMs: number;
}

export const DIAL_TIMING: DialTiming = { answerMs: 1500, farRingMs: 300, farAnswerMs: 2000, talkMs: 4000 };

/**
 * The call a PBX places for click-to-dial, as a scenario: the user's own phone rings first (ARI:
 * the Originate's first leg, running `AppDial2`), and when it is picked up the PBX dials the number
 * from it; the number answers, and the user hangs up.
 */
export function originateScenario(o: { id: string; endpoint: string; number: string; context?: string; channelId?: string }, t: DialTiming = DIAL_TIMING): Scenario {
  const answered = t.answerMs;
  const farRings = answered + t.farRingMs;
  const farAnswers = farRings + t.farAnswerMs;
  return {
    name: `dial-${o.id}`,
    description: `Click-to-dial: ${o.endpoint} rings, then calls ${o.number}`,
    calls: [{
      id: 'c1', from: { endpoint: o.endpoint, name: '' }, to: { number: o.number, name: '' }, accountcode: '',
      context: o.context, channelId: o.channelId,
      steps: [
        { at: 0, do: 'ring', endpoints: [o.endpoint] },
        { at: answered, do: 'answer', endpoint: o.endpoint },
        { at: farRings, do: 'ring', endpoints: [] },
        { at: farAnswers, do: 'answer', endpoint: '' },
        { at: farAnswers + t.talkMs, do: 'hangup', by: 'caller', cause: 16 },
      ],
    }],
  };
}

export interface DialHandlerDeps {
  /** Plays a scenario on every face of the PBX; returns the call ids it made. */
  play: (s: Scenario) => Result<{ callIds: string[] }>;
  /** The PBX's phones; dialling from anything else is refused as an unknown endpoint. */
  phones: () => string[];
  /** Phones that are not registered now (a dial to them is refused as offline). */
  offline?: () => string[];
  timing?: () => DialTiming;
}

/**
 * The server side of the protocol's `dial` frame, apart from any transport so that the simulator
 * and the bridge share it: a connection may only ring phones it authenticated for (`users` of
 * its `auth`), the number is already digits by the protocol schema, and the answer names the call
 * the PBX placed so the client can match its "Calling …" card to the call events that follow.
 */
export function createDialHandler(deps: DialHandlerDeps) {
  let seq = 0;
  return (frame: DialFrame, users: string[]): DialResultFrame => {
    const refuse = (reason: string): DialResultFrame => ({ type: 'dial-result', ref: frame.ref, ok: false, reason });
    const same = (a: string) => a.toLowerCase() === frame.endpoint.toLowerCase();
    if (!users.some(same)) return refuse(`${frame.endpoint} is not one of this connection's users`);
    if (!deps.phones().some(same)) return refuse(`unknown endpoint ${frame.endpoint}`);
    if (deps.offline?.().some(same)) return refuse(`phone ${frame.endpoint} is offline (not registered)`);
    const played = deps.play(originateScenario({ id: String(++seq), endpoint: frame.endpoint, number: frame.number }, deps.timing?.()));
    if (!played.ok) return refuse(played.error);
    return { type: 'dial-result', ref: frame.ref, ok: true, callId: played.value.callIds[0] };
  };
}

export type DialHandler = ReturnType<typeof createDialHandler>;
