/**
 * The CTI variable catalogue (CTI.md §2). Templates may use exactly these names; anything else
 * stays literal and is reported by the linter.
 */
export const CALL_VARIABLES = [
  // documented by the reference PBX
  'calleridname', 'calleridnumber', 'accountcode', 'uniqueid', 'channel', 'exten',
  // ours, same naming style
  'did', 'rdnis', 'context', 'linkedid', 'direction', 'user', 'application', 'application_type',
  'timestamp', 'acc_code2', 'acc_code3', 'record',
  // number-format variants, derived from calleridnumber and the configured home country
  'calleridnumber_e164', 'calleridnumber_national', 'calleridnumber_international', 'calleridnumber_digits',
] as const;

/** Classic Asterisk CDR fields, used by post-call templates (CTI.md §2). */
export const CDR_VARIABLES = [
  'calldate', 'clid', 'src', 'dst', 'dcontext', 'channel', 'dstchannel', 'lastapp', 'lastdata',
  'duration', 'billsec', 'disposition', 'amaflags', 'accountcode', 'uniqueid', 'userfield',
  'start', 'answer', 'end', 'linkedid', 'sequence',
] as const;

export type CallVariable = (typeof CALL_VARIABLES)[number];
export type CdrVariable = (typeof CDR_VARIABLES)[number];
export type Variables = Partial<Record<string, string>>;

export type Direction = 'inbound' | 'outbound' | 'internal';

export const APPLICATION_TYPES = ['ivr', 'group', 'queue', 'inbound_route', 'timeout', 'accounting'] as const;
export type ApplicationType = (typeof APPLICATION_TYPES)[number];
