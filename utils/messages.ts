import * as z from 'zod/mini';
import { APPLICATION_TYPES, type ApplicationType, type Direction } from './templates/variables';
import type { ViewState } from './view-state';

// zod compiles validators with `new Function` unless told not to; MV3's CSP forbids that.
z.config({ jitless: true });

/**
 * Every message between the pages and the background, declared once: name → request/response.
 * The background registers one handler object typed by this map, so a missing handler is a
 * compile error.
 */
export interface TestBenchCall {
  number: string;
  name: string;
  direction: Direction;
  did?: string;
  application?: { type: ApplicationType; name: string };
}

export interface TestBenchStep {
  point: 'inbound' | 'outbound' | 'application' | 'popup' | 'postcall';
  template: string;
  /** The expanded URL (credentials redacted), or why it was refused. */
  url?: string;
  refused?: string;
  warnings: string[];
  outcome?: string;
  status?: number;
  ms?: number;
  timeoutMs?: number;
  /** The parsed reply as the `ctipop reply` command prints it. */
  reply?: unknown;
  changes?: Record<string, { from: string; to: string }>;
}

export interface TestBenchResult {
  steps: TestBenchStep[];
  variables: Record<string, string>;
  pop: { target: string; url?: string; refused?: string };
}

/** `duplicate`: the same call was asked for a moment ago (a double click) and is not placed twice. */
export type DialReply = { ok: true; display: string; duplicate?: boolean } | { ok: false; reason: string };

export interface MessageMap {
  getView: { req: Record<string, never>; res: ViewState };
  setDoNotDisturb: { req: { on: boolean }; res: { ok: true } };
  runTestBench: { req: TestBenchCall; res: TestBenchResult };
  testConnection: { req: Record<string, never>; res: { ok: boolean; message: string; ms: number } };
  retryDeadLetter: { req: { key: string }; res: { ok: boolean } };
  openCallPage: { req: { callId: string; where: 'tab' | 'panel' }; res: { ok: boolean } };
  /** Sent by the side panel when it opens and closes, so pops go to it while it is open. */
  panelPresence: { req: { open: boolean; windowId?: number }; res: { ok: true } };
  /**
   * Click-to-dial from the dial box, the history, a `tel:` link page. `phone` is the user's pick
   * among their own endpoints (checked against the settings); nothing else but the number is taken
   * from the sender.
   */
  dial: { req: { input: string; phone?: string; asDialled?: boolean }; res: DialReply };
  /**
   * Forgets the PBX secret, history and call book, after delivering the queued post-call records
   * (or, when `discardQueued`, dropping them). Refused with the count while records stay undelivered.
   */
  signOut: { req: { discardQueued: boolean }; res: { ok: boolean; undelivered: number } };
}

export type MessageName = keyof MessageMap;
export type Message = { [K in MessageName]: { name: K; req: MessageMap[K]['req'] } }[MessageName];
export type Handlers = { [K in MessageName]: (req: MessageMap[K]['req']) => Promise<MessageMap[K]['res']> };

const text = (max: number) => z.string().check(z.maxLength(max));
const empty = z.strictObject({});

/**
 * Every request's schema: the background checks each message against it before its handler runs
 * (zod/mini, to keep the background small). Strict objects: an unknown key is refused too.
 */
export const REQUEST_SCHEMAS: { [K in MessageName]: z.ZodMiniType<MessageMap[K]['req']> } = {
  getView: empty,
  setDoNotDisturb: z.strictObject({ on: z.boolean() }),
  runTestBench: z.strictObject({
    number: text(256),
    name: text(256),
    direction: z.enum(['inbound', 'outbound', 'internal']),
    did: z.optional(text(64)),
    application: z.optional(z.strictObject({ type: z.enum(APPLICATION_TYPES), name: text(128) })),
  }),
  testConnection: empty,
  retryDeadLetter: z.strictObject({ key: z.string().check(z.minLength(1), z.maxLength(512)) }),
  openCallPage: z.strictObject({ callId: z.string().check(z.minLength(1), z.maxLength(256)), where: z.enum(['tab', 'panel']) }),
  panelPresence: z.strictObject({ open: z.boolean(), windowId: z.optional(z.number().check(z.int())) }),
  signOut: z.strictObject({ discardQueued: z.boolean() }),
  dial: z.strictObject({ input: text(512), phone: z.optional(text(128)), asDialled: z.optional(z.boolean()) }),
};
