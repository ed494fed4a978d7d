import * as z from 'zod/mini';
import { APPLICATION_TYPES } from '../templates/variables';

z.config({ jitless: true });

const partyId = z.object({ name: z.string(), number: z.string() });
const application = z.object({ type: z.enum(APPLICATION_TYPES), name: z.string() });

/** Where a channel sat in the dialplan when it dialled: what Asterisk's CDR row calls party A. */
const dialler = z.object({ id: z.string(), name: z.string(), app: z.string(), data: z.string(), exten: z.string(), context: z.string() });

/** One channel of the PBX as the channel graph remembers it (the fields the translator needs). */
export const trackedChannel = z.object({
  id: z.string(),
  name: z.string(),
  /** Judged from the name alone, the same for every user: the users' phones are `phone`. */
  kind: z.enum(['phone', 'trunk', 'local']),
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
  /** The dialplan application it runs now (`AppDial` on a rung phone, `AppDial2` on an Originate's first leg). */
  app: z.string(),
  appData: z.string(),
  /** Created in state `Ring`: a phone that went off-hook and dials. */
  placed: z.boolean(),
  apps: z.array(application),
  /** Cause of the request that was not `soft`: who hung up, and why. */
  hangupCause: z.optional(z.number()),
  /** Party A of the Dial that rang this channel, as it stood then. */
  dialledBy: z.optional(dialler),
  /** The channel this one dialled last (and the one that answered, once one did). */
  peer: z.optional(z.string()),
  peerName: z.optional(z.string()),
  /** This channel ran the Dial itself, as party A (its app and data then). */
  dialling: z.optional(dialler),
  /** The extension a blind transfer sent this channel's partner to. */
  transferExten: z.optional(z.string()),
});

/** A call that concerns one user, with what has been said about it so far (so nothing is said twice). */
export const trackedCall = z.object({
  id: z.string(),
  root: z.string(),
  user: z.string(),
  userNumber: z.string(),
  /** The user's channel the call was offered on (or, for a watched call, the channel that entered the queue/app). */
  userChannel: z.string(),
  /** The user's channels still up. */
  channels: z.array(z.string()),
  /** How the user's phone is in the call: rung by someone, dialling, rung by an Originate, or not yet (watched). */
  role: z.enum(['rung', 'placed', 'originated', 'watched']),
  direction: z.optional(z.enum(['inbound', 'outbound', 'internal'])),
  /** A watched call someone else answered: over for the user once their own phones stop. */
  elsewhere: z.optional(z.boolean()),
  offered: z.boolean(),
  ringing: z.boolean(),
  answered: z.boolean(),
  apps: z.array(z.string()),
  appList: z.array(application),
  vars: z.record(z.string(), z.string()),
  control: z.optional(z.string()),
  /** The CDR fields of the user's leg as they stood when its channel went (the channel is forgotten then). */
  cdr: z.optional(z.record(z.string(), z.string())),
});

export const userState = z.object({
  calls: z.array(trackedCall).check(z.maxLength(10_000)),
  usedRoots: z.array(z.string()).check(z.maxLength(100_000)),
});

export const ariSnapshot = z.object({
  v: z.literal(2),
  channels: z.array(trackedChannel).check(z.maxLength(100_000)),
  gone: z.array(z.string()).check(z.maxLength(100_000)),
  users: z.record(z.string(), userState),
});

export type TrackedChannel = z.infer<typeof trackedChannel>;
export type TrackedCall = z.infer<typeof trackedCall>;
export type AriSnapshot = z.infer<typeof ariSnapshot>;
export type UserState = z.infer<typeof userState>;
export type Dialler = z.infer<typeof dialler>;
