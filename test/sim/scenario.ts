import { z } from 'zod';

/**
 * A scripted PBX scenario: data, not code. The simulator turns one scenario into both the generic
 * JSON event stream (per-user frames) and faithful Asterisk ARI frames, so every connector is tested
 * against the same calls. Times are milliseconds from the scenario start.
 */
const party = z.union([
  /** One of the PBX's own phones, e.g. PJSIP/100 "Alice Agent". */
  z.object({ endpoint: z.string(), name: z.string().default(''), number: z.string().optional() }),
  /** An outside party reached through the trunk. */
  z.object({ number: z.string(), name: z.string().default('') }),
]);

const step = z.discriminatedUnion('do', [
  /** The call appears at the PBX (trunk leg created / phone goes off-hook and dials). */
  z.object({ at: z.number(), do: z.literal('offer') }),
  z.object({ at: z.number(), do: z.literal('application'), type: z.enum(['ivr', 'group', 'queue', 'inbound_route', 'timeout', 'accounting']), name: z.string() }),
  /** These phones (or, for outbound, the far end) start ringing. */
  z.object({ at: z.number(), do: z.literal('ring'), endpoints: z.array(z.string()).default([]) }),
  /** `endpoint` answers (empty for the far end of an outbound call); other ringing phones stop (cause 26). */
  z.object({ at: z.number(), do: z.literal('answer'), endpoint: z.string().default('') }),
  /** Ringing stops without answer at these phones (busy 17, no answer 19/0, rejected 21). */
  z.object({ at: z.number(), do: z.literal('stop-ringing'), endpoints: z.array(z.string()), cause: z.number().int() }),
  z.object({ at: z.number(), do: z.literal('transfer'), kind: z.enum(['blind', 'attended']), from: z.string(), to: z.string() }),
  /** The call ends; `by` says who hung up. */
  z.object({ at: z.number(), do: z.literal('hangup'), by: z.enum(['caller', 'callee']).default('caller'), cause: z.number().int().default(16) }),
]);

export const scenarioCall = z.object({
  id: z.string(),
  from: party,
  /** For an inbound call the DID dialled on the trunk; for internal/outbound the number dialled. */
  to: z.object({ number: z.string(), name: z.string().default('') }),
  accountcode: z.string().default(''),
  /** Originate (click-to-dial): the dialplan context the number is dialled in once the phone answers. */
  context: z.string().optional(),
  /** Originate: the uniqueid the client asked for (ARI `channelId`) for the phone's channel. */
  channelId: z.string().optional(),
  steps: z.array(step).min(1),
});

export const scenario = z.object({
  name: z.string(),
  description: z.string(),
  calls: z.array(scenarioCall).min(1),
});

export type Scenario = z.infer<typeof scenario>;
export type ScenarioCall = z.infer<typeof scenarioCall>;
export type ScenarioStep = z.infer<typeof step>;
