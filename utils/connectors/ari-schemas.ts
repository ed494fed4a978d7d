import * as z from 'zod/mini';

// zod compiles validators with `new Function` unless told not to; MV3's CSP forbids that.
z.config({ jitless: true });

/**
 * The parts of Asterisk 22's ARI models (shared/ari/channels.json, events.json) the translator
 * reads. Only fields we use are listed; zod strips the rest, so newer Asterisk versions that add
 * fields still validate. Strings Asterisk marks required but has been seen to omit get defaults.
 */
const callerId = z.object({ name: z._default(z.string(), ''), number: z._default(z.string(), '') });

export const ariChannel = z.object({
  id: z.string().check(z.minLength(1), z.maxLength(128)),
  name: z.string().check(z.minLength(1), z.maxLength(256)),
  state: z._default(z.string().check(z.maxLength(32)), 'Unknown'),
  caller: z.prefault(callerId, {}),
  connected: z.prefault(callerId, {}),
  accountcode: z._default(z.string().check(z.maxLength(128)), ''),
  dialplan: z.prefault(z.object({
    context: z._default(z.string(), ''),
    exten: z._default(z.string(), ''),
    app_name: z._default(z.string(), ''),
    app_data: z._default(z.string(), ''),
  }), {}),
  caller_rdnis: z.optional(z.string()),
});

const bridge = z.object({ id: z.string(), channels: z._default(z.array(z.string()), []) });
const timestamp = z.optional(z.string());

export const ariChannelFrame = z.object({ timestamp, channel: ariChannel });
export const ariDialplanFrame = z.extend(ariChannelFrame, { dialplan_app: z._default(z.string(), ''), dialplan_app_data: z._default(z.string(), '') });
export const ariHangupFrame = z.extend(ariChannelFrame, { cause: z.optional(z.int()), soft: z.optional(z.boolean()) });
export const ariDialFrame = z.object({
  timestamp,
  caller: z.optional(ariChannel),
  peer: ariChannel,
  dialstatus: z._default(z.string(), ''),
});
export const ariBridgeFrame = z.object({ timestamp, bridge, channel: z.optional(ariChannel) });
export const ariStasisFrame = z.extend(ariChannelFrame, { application: z._default(z.string(), ''), args: z._default(z.array(z.string()), []) });
export const ariVarsetFrame = z.object({ timestamp, channel: z.optional(ariChannel), variable: z.string(), value: z._default(z.string(), '') });
export const ariBlindTransferFrame = z.object({
  timestamp,
  channel: ariChannel,
  exten: z.optional(z.string()),
  transferee: z.optional(ariChannel),
  result: z._default(z.string(), ''),
});
export const ariAttendedTransferFrame = z.object({
  timestamp,
  transferer_first_leg: ariChannel,
  transferer_second_leg: ariChannel,
  transferee: z.optional(ariChannel),
  transfer_target: z.optional(ariChannel),
  result: z._default(z.string(), ''),
});

export type AriChannel = z.infer<typeof ariChannel>;
