import type { Call } from '../calls/call';

/** The classic Asterisk CDR (CTI.md §2) as strings, ready for a post-call template. */
export type Cdr = Record<
  | 'calldate' | 'clid' | 'src' | 'dst' | 'dcontext' | 'channel' | 'dstchannel' | 'lastapp' | 'lastdata'
  | 'duration' | 'billsec' | 'disposition' | 'amaflags' | 'accountcode' | 'uniqueid' | 'userfield'
  | 'start' | 'answer' | 'end' | 'linkedid' | 'sequence',
  string
>;

export type Disposition = 'ANSWERED' | 'NO ANSWER' | 'BUSY' | 'FAILED' | 'CONGESTION';

/**
 * Q.850 cause → CDR disposition for a call the user did not answer. 26 (answered elsewhere), 19 and
 * 0 (Dial timeout), 127 (caller cancelled) and 16 before answer are all "NO ANSWER", as Asterisk's
 * CDR reports them.
 */
export function dispositionOf(call: Pick<Call, 'answeredAt' | 'cause'>): Disposition {
  if (call.answeredAt !== undefined) return 'ANSWERED';
  switch (call.cause) {
    case 17:
    case 21:
      return 'BUSY';
    case 34: case 38: case 41: case 42: case 44:
      return 'CONGESTION';
    case 1: case 3: case 27: case 28: case 31: case 58: case 65: case 66: case 88:
      return 'FAILED';
    default:
      return 'NO ANSWER';
  }
}

/** Asterisk's CDR date format, in UTC: `2026-11-27 23:43:56`. */
export const cdrDate = (ms: number | undefined) =>
  ms === undefined ? '' : new Date(ms).toISOString().slice(0, 19).replace('T', ' ');

const seconds = (from: number | undefined, to: number | undefined) =>
  from === undefined || to === undefined ? 0 : Math.max(0, Math.round((to - from) / 1000));

/**
 * Builds the CDR of an ended call from its history; every field the PBX supplied in its own CDR
 * wins, so billsec and disposition match the PBX's accounting when it provides them.
 */
export function buildCdr(call: Call, sequence = 0): Cdr {
  const v = call.variables;
  const name = v.calleridname ?? '';
  const number = v.calleridnumber ?? '';
  const ours: Cdr = {
    calldate: cdrDate(call.offeredAt),
    clid: name ? `"${name.replaceAll('"', '')}" <${number}>` : number,
    src: number,
    dst: v.exten ?? '',
    dcontext: v.context ?? '',
    channel: v.channel ?? '',
    dstchannel: v.dstchannel ?? '',
    lastapp: v.lastapp ?? '',
    lastdata: v.lastdata ?? '',
    duration: String(seconds(call.offeredAt, call.endedAt)),
    billsec: String(seconds(call.answeredAt, call.endedAt)),
    disposition: dispositionOf(call),
    amaflags: 'DOCUMENTATION',
    accountcode: (v.accountcode ?? '').slice(0, 19),
    uniqueid: v.uniqueid ?? '',
    userfield: v.userfield ?? '',
    start: cdrDate(call.offeredAt),
    answer: cdrDate(call.answeredAt),
    end: cdrDate(call.endedAt),
    linkedid: v.linkedid ?? call.id,
    sequence: String(sequence),
  };
  const pbx = call.pbxCdr ?? {};
  for (const key of Object.keys(ours) as (keyof Cdr)[]) {
    const value = pbx[key];
    if (value !== undefined && value !== '') ours[key] = value;
  }
  return ours;
}

/** The idempotency key of a call's CDR: stable across restarts and replays. */
export const cdrKey = (call: Pick<Call, 'id'>, sequence = 0) => `ctipop-${call.id}-${sequence}`;
