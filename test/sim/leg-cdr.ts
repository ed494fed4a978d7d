import type { Leg } from './json-stream';

export interface LegCdrInput {
  leg: Leg;
  /** The leg's CTI variables as they stand at the end (reply overrides included). */
  vars: Record<string, string>;
  callStartMs: number;
  endMs: number;
  cause: number;
  startEpochMs: number;
  /** Channel of the calling side (trunk or the originating phone). */
  callerChannel: string;
  /** For the originating leg: the channel it was connected to. */
  dstChannel?: string;
  queue?: string;
}

/**
 * The classic Asterisk CDR (CTI.md §2) for one user's leg, as a PBX that supplies its own CDR would
 * send it. Times are scenario times (unscaled), so `billsec` is what the scenario file says even
 * when the simulator plays it 100 times faster.
 */
export function buildLegCdr(input: LegCdrInput): Record<string, string> {
  const { leg, vars } = input;
  const at = (ms: number) => new Date(input.startEpochMs + ms).toISOString().slice(0, 19).replace('T', ' ');
  const answered = leg.answeredMs !== undefined;
  const startMs = leg.isOrigin ? input.callStartMs : leg.offeredMs;
  return {
    calldate: at(startMs),
    clid: `"${vars.calleridname ?? ''}" <${vars.calleridnumber ?? ''}>`,
    src: vars.calleridnumber ?? '',
    dst: leg.exten,
    dcontext: leg.context,
    channel: leg.isOrigin ? leg.channel : input.callerChannel,
    dstchannel: leg.isOrigin ? (input.dstChannel ?? '') : leg.channel,
    lastapp: input.queue === undefined ? 'Dial' : 'Queue',
    lastdata: input.queue ?? (leg.isOrigin ? `PJSIP/${leg.exten}@pstn,30` : `${leg.user},15`),
    duration: String(Math.round((input.endMs - startMs) / 1000)),
    billsec: String(answered ? Math.round((input.endMs - (leg.answeredMs ?? 0)) / 1000) : 0),
    disposition: answered ? 'ANSWERED' : input.cause === 17 ? 'BUSY' : input.cause === 34 || input.cause === 38 ? 'CONGESTION' : 'NO ANSWER',
    amaflags: 'DOCUMENTATION',
    accountcode: (vars.accountcode ?? '').slice(0, 19),
    // Asterisk names a CDR after its A leg: the caller's channel, shared by every leg it rang.
    uniqueid: leg.isOrigin ? leg.uniqueid : (vars.linkedid ?? leg.uniqueid),
    userfield: '',
    start: at(startMs),
    answer: answered ? at(leg.answeredMs ?? 0) : '',
    end: at(input.endMs),
    linkedid: vars.linkedid ?? '',
    sequence: String(leg.seq),
  };
}
