import type { Direction } from './templates/variables';
import type { ApplicationType } from './templates/variables';
import type { ViewState } from './view-state';

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
}

export type MessageName = keyof MessageMap;
export type Message = { [K in MessageName]: { name: K; req: MessageMap[K]['req'] } }[MessageName];
export type Handlers = { [K in MessageName]: (req: MessageMap[K]['req']) => Promise<MessageMap[K]['res']> };
