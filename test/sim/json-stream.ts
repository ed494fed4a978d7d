import type { CallFrame } from '../../utils/connectors/json-protocol';
import type { ApplicationType, Direction } from '../../utils/templates/variables';
import { buildLegCdr } from './leg-cdr';
import type { Scenario, ScenarioCall, ScenarioStep } from './scenario';
import { endpointNumber, simUser } from './sim-users';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** A call frame before the hub stamps its resume id and emission time. */
export type PendingFrame = DistributiveOmit<CallFrame, 'id' | 'at'>;

export interface TranslatorOptions {
  callId: string;
  /** Epoch ms of scenario time 0; `timestamp` and CDR times are scenario times from it (unscaled). */
  startEpochMs: number;
  withCdr: boolean;
  /** Channel sequence shared by all calls of one simulator, so channel names stay unique. */
  nextSeq: () => number;
}

interface Party {
  name: string;
  number: string;
  /** True for a PBX phone; false for someone reached through the trunk. */
  internal: boolean;
}

/** One user's leg of the call: their phone's channel and how the call looks from there. */
export interface Leg {
  user: string;
  channel: string;
  uniqueid: string;
  seq: number;
  direction: Direction;
  state: 'dialing' | 'ringing' | 'answered' | 'ended';
  offeredMs: number;
  answeredMs?: number;
  calling: Party;
  exten: string;
  context: string;
  rdnis?: string;
  /** Set while this leg is an attended-transfer consultation from that endpoint. */
  consultFrom?: string;
  isOrigin: boolean;
}

export interface CallTranslator {
  readonly callId: string;
  /** Frames produced by one scenario step at scenario time `step.at`. */
  step(step: ScenarioStep): PendingFrame[];
  /** A `control` frame's `set`: later frames and the CDR carry these values. */
  applyVariables(set: Record<string, string>): void;
  /** True until the call's hangup step. */
  isActive(): boolean;
  /** Endpoints with a leg that has not ended. */
  activeUsers(): string[];
  /** The call's present state as frames, for a client that connects or resumes too late. */
  stateFrames(wants: (user: string) => boolean): PendingFrame[];
}

/**
 * Turns one scenario call into per-user protocol-v1 frames, step by step. Semantics of the steps
 * (transfers, consultations, cause 26) are described in test/sim/README.md.
 */
export function createCallTranslator(call: ScenarioCall, opts: TranslatorOptions): CallTranslator {
  const legs: Leg[] = [];
  const apps: { type: ApplicationType; name: string }[] = [];
  const overrides: Record<string, string> = {};
  const from = call.from;
  const self = 'endpoint' in from ? from.endpoint : undefined;
  // Originate (click-to-dial): the PBX rings the caller's own phone first, then dials the number.
  const firstRing = call.steps.find((s): s is Extract<ScenarioStep, { do: 'ring' }> => s.do === 'ring');
  const originated = self !== undefined && firstRing?.endpoints.includes(self) === true;
  const ringsPhones = call.steps.some((s) => s.do === 'ring' && s.endpoints.some((e) => e !== self));
  const caller: Party = 'endpoint' in from
    ? { name: from.name || simUser(from.endpoint).name, number: from.number ?? endpointNumber(from.endpoint), internal: true }
    : { name: from.name, number: from.number, internal: false };
  const farEnd: Party = { name: call.to.name, number: call.to.number, internal: false };
  const first = opts.nextSeq();
  // The trunk leg: the caller's channel for an inbound call, the far end's for our own outgoing call.
  const trunkChannel = `PJSIP/pstn-${hex('endpoint' in from ? opts.nextSeq() : first)}`;
  const linkedid = uniqueid(opts.startEpochMs, first);
  let answeredBy: Leg | 'far' | undefined;
  let active = true;

  const newLeg = (user: string, atMs: number, fields: Pick<Leg, 'direction' | 'calling' | 'exten' | 'context' | 'isOrigin'> & Partial<Leg>): Leg => {
    const seq = legs.length === 0 && 'endpoint' in from ? first : opts.nextSeq();
    const leg: Leg = { user, channel: `${user}-${hex(seq)}`, uniqueid: uniqueid(opts.startEpochMs, seq), seq, state: 'ringing', offeredMs: atMs, ...fields };
    legs.push(leg);
    return leg;
  };
  const live = (user: string) => legs.find((l) => l.user === user && l.state !== 'ended');
  const origin = () => legs.find((l) => l.isOrigin && l.state !== 'ended');

  const variables = (leg: Leg): Record<string, string> => {
    const app = apps.at(-1);
    return {
      calleridname: leg.calling.name,
      calleridnumber: leg.calling.number,
      exten: leg.exten,
      did: leg.calling.internal || 'endpoint' in from ? '' : call.to.number,
      direction: leg.direction,
      uniqueid: leg.uniqueid,
      linkedid,
      channel: leg.channel,
      user: leg.user,
      accountcode: call.accountcode,
      context: leg.context,
      application: app?.name ?? '',
      application_type: app?.type ?? '',
      timestamp: String(Math.floor((opts.startEpochMs + leg.offeredMs) / 1000)),
      ...(leg.rdnis === undefined ? {} : { rdnis: leg.rdnis }),
      ...overrides,
    };
  };
  const base = (leg: Leg) => ({ type: 'call' as const, callId: opts.callId, users: [leg.user] });
  const offered = (leg: Leg): PendingFrame[] => [
    { ...base(leg), event: 'offered', direction: leg.direction, variables: variables(leg) },
    ...(leg.consultFrom === undefined ? apps.map((application): PendingFrame => ({ ...base(leg), event: 'application', application })) : []),
  ];
  const end = (leg: Leg, atMs: number, cause: number): PendingFrame => {
    leg.state = 'ended';
    const frame: PendingFrame = { ...base(leg), event: 'ended', cause };
    if (!opts.withCdr) return frame;
    const other = leg.isOrigin ? answeredOther() : undefined;
    return { ...frame, cdr: buildLegCdr({ leg, vars: variables(leg), callStartMs: callStartMs(), endMs: atMs, cause, startEpochMs: opts.startEpochMs, callerChannel: callerChannel(), dstChannel: other, queue: apps.find((a) => a.type === 'queue')?.name }) };
  };
  const callStartMs = () => call.steps[0]?.at ?? 0;
  const callerChannel = () => legs.find((l) => l.isOrigin)?.channel ?? trunkChannel;
  const answeredOther = () => (answeredBy === 'far' || answeredBy === undefined ? trunkChannel : answeredBy.channel);
  /** The party a transfer target ends up talking to: the caller, or for our own outgoing call its far end. */
  const otherParty = (transferrer: Leg): Party => (transferrer.isOrigin ? (ringsPhones ? caller : farEnd) : caller);

  const steps: { [K in ScenarioStep['do']]: (s: Extract<ScenarioStep, { do: K }>) => PendingFrame[] } = {
    offer: (s) => {
      if (!('endpoint' in from)) return [];
      const leg = newLeg(from.endpoint, s.at, { direction: ringsPhones ? 'internal' : 'outbound', calling: caller, exten: call.to.number, context: 'from-internal', isOrigin: true, state: 'dialing' });
      return offered(leg);
    },
    application: (s) => {
      const application = { type: s.type, name: s.name };
      apps.push(application);
      return legs.filter((l) => l.state !== 'ended').map((l): PendingFrame => ({ ...base(l), event: 'application', application }));
    },
    ring: (s) => {
      const out: PendingFrame[] = [];
      for (const user of s.endpoints) {
        if (live(user)) continue;
        if (originated && user === self && legs.length === 0) {
          // The user's phone rings for a call the user places: outbound, the user as calling party.
          const leg = newLeg(user, s.at, { direction: 'outbound', calling: caller, exten: call.to.number, context: call.context ?? 'from-internal', isOrigin: true, state: 'ringing' });
          out.push(...offered(leg), { ...base(leg), event: 'ringing' });
          continue;
        }
        const holder = answeredBy !== undefined && answeredBy !== 'far' && answeredBy.state === 'answered' ? answeredBy : undefined;
        const leg = holder
          ? newLeg(user, s.at, { direction: 'internal', calling: { ...simUser(holder.user), internal: true }, exten: endpointNumber(user), context: 'from-internal', isOrigin: false, consultFrom: holder.user })
          : newLeg(user, s.at, { direction: caller.internal ? 'internal' : 'inbound', calling: caller, exten: endpointNumber(user), context: caller.internal ? 'from-internal' : 'from-trunk', isOrigin: false });
        out.push(...offered(leg), { ...base(leg), event: 'ringing' });
      }
      const o = origin();
      if (o?.state === 'dialing') {
        o.state = 'ringing';
        out.push({ ...base(o), event: 'ringing' });
      }
      return out;
    },
    answer: (s) => {
      const out: PendingFrame[] = [];
      // Picking up the phone of an originated call is not the call being answered: the number is.
      if (originated && s.endpoint === self) return out;
      const leg = s.endpoint === '' ? undefined : live(s.endpoint);
      if (s.endpoint !== '' && !leg) return out; // answering a phone that never rang: nothing happens
      if (leg && leg.state !== 'answered') {
        leg.state = 'answered';
        leg.answeredMs = s.at;
        out.push({ ...base(leg), event: 'answered' });
      }
      if (leg?.consultFrom !== undefined) return out;
      answeredBy = leg ?? 'far';
      for (const other of legs) {
        if (other !== leg && other.state === 'ringing' && !other.isOrigin && other.consultFrom === undefined) out.push(end(other, s.at, 26));
      }
      const o = origin();
      if (o && o.state !== 'answered') {
        o.state = 'answered';
        o.answeredMs = s.at;
        out.push({ ...base(o), event: 'answered' });
      }
      return out;
    },
    'stop-ringing': (s) =>
      s.endpoints.flatMap((user) => {
        const leg = live(user);
        return leg && leg.state === 'ringing' ? [end(leg, s.at, s.cause)] : [];
      }),
    transfer: (s) => {
      const transferrer = live(s.from);
      if (!transferrer) return [];
      const party = otherParty(transferrer);
      const out = [end(transferrer, s.at, 16)];
      if (!s.to.includes('/')) return out;
      const consult = live(s.to);
      const fields = { direction: party.internal ? ('internal' as const) : ('inbound' as const), calling: party, rdnis: simUser(s.from).number };
      if (s.kind === 'attended' && consult) {
        Object.assign(consult, fields);
        delete consult.consultFrom;
        if (consult.state === 'answered') answeredBy = consult;
        out.push({ ...base(consult), event: 'variables', variables: variables(consult) });
        return out;
      }
      const leg = newLeg(s.to, s.at, { ...fields, exten: endpointNumber(s.to), context: 'from-internal', isOrigin: false });
      answeredBy = undefined;
      out.push(...offered(leg), { ...base(leg), event: 'ringing' });
      if (s.kind === 'attended') {
        leg.state = 'answered';
        leg.answeredMs = s.at;
        answeredBy = leg;
        out.push({ ...base(leg), event: 'answered' });
      }
      return out;
    },
    hangup: (s) => {
      active = false;
      return legs.filter((l) => l.state !== 'ended').map((l) => end(l, s.at, s.cause));
    },
  };

  return {
    callId: opts.callId,
    step: (s) => (active ? (steps[s.do] as (x: ScenarioStep) => PendingFrame[])(s) : []),
    applyVariables: (set) => Object.assign(overrides, set),
    isActive: () => active,
    activeUsers: () => legs.filter((l) => l.state !== 'ended').map((l) => l.user),
    stateFrames: (wants) =>
      legs
        .filter((l) => l.state !== 'ended' && wants(l.user))
        .flatMap((l) => [
          ...offered(l),
          ...(l.state === 'dialing' ? [] : [{ ...base(l), event: 'ringing' as const }]),
          ...(l.state === 'answered' ? [{ ...base(l), event: 'answered' as const }] : []),
        ]),
  };
}

export interface TimedFrame {
  /** Scenario time in ms (unscaled). */
  atMs: number;
  frame: PendingFrame;
}

/** Every frame a scenario produces, in order, without timers: for tests, docs and benchmarks. */
export function scenarioFrames(s: Scenario, opts: { startEpochMs: number; withCdr: boolean; callIdPrefix?: string }): TimedFrame[] {
  let seq = 0;
  const nextSeq = () => ++seq;
  const translators = new Map(s.calls.map((c) => [c, createCallTranslator(c, { callId: `${opts.callIdPrefix ?? s.name}-${c.id}`, startEpochMs: opts.startEpochMs, withCdr: opts.withCdr, nextSeq })]));
  return orderedSteps(s).flatMap(({ call, step }) => (translators.get(call)?.step(step) ?? []).map((frame) => ({ atMs: step.at, frame })));
}

/** All steps of all calls by time; steps at the same time keep file order. */
export function orderedSteps(s: Scenario): { call: ScenarioCall; step: ScenarioStep }[] {
  return s.calls.flatMap((call) => call.steps.map((step) => ({ call, step }))).sort((a, b) => a.step.at - b.step.at);
}

function hex(n: number): string {
  return n.toString(16).padStart(8, '0');
}

function uniqueid(startEpochMs: number, seq: number): string {
  return `${Math.floor(startEpochMs / 1000)}.${seq}`;
}
