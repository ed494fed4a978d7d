import * as z from 'zod/mini';
import { APPLICATION_TYPES } from '../templates/variables';

z.config({ jitless: true });

const partyId = z.object({ name: z.string(), number: z.string() });
const application = z.object({ type: z.enum(APPLICATION_TYPES), name: z.string() });

/** One channel as the ARI translator remembers it (the fields it needs, not the whole snapshot). */
export const trackedChannel = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(['user', 'phone', 'trunk', 'local']),
  /** The channel that dialled this one (Dial caller, or the `;1` half of a Local pair). */
  parent: z.optional(z.string()),
  /** The call's first channel as last resolved; kept so the chain survives a parent's hangup. */
  root: z.string(),
  /** The first dialplan position: on a trunk leg, the DID. */
  firstExten: z.string(),
  firstContext: z.string(),
  exten: z.string(),
  context: z.string(),
  state: z.string(),
  caller: partyId,
  connected: partyId,
  accountcode: z.string(),
  rdnis: z.optional(z.string()),
  apps: z.array(application),
  /** Cause of the request that was not `soft`: who hung up, and why. */
  hangupCause: z.optional(z.number()),
});

/** A call that concerns the user, with what has been said about it so far (so nothing is said twice). */
export const trackedCall = z.object({
  id: z.string(),
  root: z.string(),
  user: z.string(),
  userNumber: z.string(),
  /** The user's channel the call was offered on (or, for a watched call, the channel that entered the queue/app). */
  userChannel: z.string(),
  /** The user's channels still up. */
  channels: z.array(z.string()),
  direction: z.optional(z.enum(['inbound', 'outbound', 'internal'])),
  originated: z.boolean(),
  userDialled: z.boolean(),
  watched: z.boolean(),
  /** A watched call someone else answered: over for the user once their own phones stop. */
  elsewhere: z.optional(z.boolean()),
  offered: z.boolean(),
  ringing: z.boolean(),
  answered: z.boolean(),
  apps: z.array(z.string()),
  appList: z.array(application),
  vars: z.record(z.string(), z.string()),
  control: z.optional(z.string()),
});

export const ariSnapshot = z.object({
  v: z.literal(1),
  channels: z.array(trackedChannel).check(z.maxLength(100_000)),
  calls: z.array(trackedCall).check(z.maxLength(10_000)),
  gone: z.array(z.string()).check(z.maxLength(100_000)),
  usedRoots: z.array(z.string()).check(z.maxLength(100_000)),
});

export type TrackedChannel = z.infer<typeof trackedChannel>;
export type TrackedCall = z.infer<typeof trackedCall>;
export type AriSnapshot = z.infer<typeof ariSnapshot>;
