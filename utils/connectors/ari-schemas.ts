import { z } from 'zod';

// zod compiles validators with `new Function` unless told not to; MV3's CSP forbids that.
z.config({ jitless: true });

/**
 * The parts of Asterisk 22's ARI models (shared/ari/channels.json, events.json) the translator
 * reads. Only fields we use are listed; zod strips the rest, so newer Asterisk versions that add
 * fields still validate. Strings Asterisk marks required but has been seen to omit get defaults.
 */
const callerId = z.object({ name: z.string().default(''), number: z.string().default('') });

export const ariChannel = z.object({
  id: z.string().min(1).max(128),
  name: z.string().min(1).max(256),
  state: z.string().max(32).default('Unknown'),
  caller: callerId.prefault({}),
  connected: callerId.prefault({}),
  accountcode: z.string().max(128).default(''),
  dialplan: z.object({
    context: z.string().default(''),
    exten: z.string().default(''),
    app_name: z.string().default(''),
    app_data: z.string().default(''),
  }).prefault({}),
  caller_rdnis: z.string().optional(),
});

const bridge = z.object({ id: z.string(), channels: z.array(z.string()).default([]) });
const timestamp = z.string().optional();

export const ariChannelFrame = z.object({ timestamp, channel: ariChannel });
export const ariDialplanFrame = ariChannelFrame.extend({ dialplan_app: z.string().default(''), dialplan_app_data: z.string().default('') });
export const ariHangupFrame = ariChannelFrame.extend({ cause: z.number().int().optional(), soft: z.boolean().optional() });
export const ariDialFrame = z.object({
  timestamp,
  caller: ariChannel.optional(),
  peer: ariChannel,
  dialstatus: z.string().default(''),
});
export const ariBridgeFrame = z.object({ timestamp, bridge, channel: ariChannel.optional() });
export const ariStasisFrame = ariChannelFrame.extend({ application: z.string().default(''), args: z.array(z.string()).default([]) });
export const ariVarsetFrame = z.object({ timestamp, channel: ariChannel.optional(), variable: z.string(), value: z.string().default('') });
export const ariBlindTransferFrame = z.object({
  timestamp,
  channel: ariChannel,
  exten: z.string().optional(),
  transferee: ariChannel.optional(),
  result: z.string().default(''),
});
export const ariAttendedTransferFrame = z.object({
  timestamp,
  transferer_first_leg: ariChannel,
  transferer_second_leg: ariChannel,
  transferee: ariChannel.optional(),
  transfer_target: ariChannel.optional(),
  result: z.string().default(''),
});

export type AriChannel = z.infer<typeof ariChannel>;
