import type { Call, CallState } from './call';
import type { CallEvent } from './call-event';

/**
 * The call model: every connector's normalised events go through `applyEvent`, which returns the
 * new book and the lifecycle steps that happened for the first time. It is idempotent: a repeated
 * or replayed event, or one that arrives after a later state, changes nothing and repeats no
 * step, so the engine pops and records each call once. The book is plain JSON so the background
 * can store it and survive a restart.
 */
export interface CallBook {
  calls: Record<string, Call>;
  /** Calls already handed to the pop-up, so a replay or restart never pops twice. */
  popped: string[];
  /** Recently ended call ids (bounded): late or replayed events for them are ignored. */
  ended: string[];
}

export type Lifecycle =
  | { step: 'offered'; call: Call }
  | { step: 'application'; call: Call; application: Call['applications'][number] }
  | { step: 'ringing'; call: Call }
  | { step: 'answered'; call: Call }
  | { step: 'variables'; call: Call }
  | { step: 'ended'; call: Call };

export const emptyBook = (): CallBook => ({ calls: {}, popped: [], ended: [] });

const ENDED_MEMORY = 500;
const RANK: Record<CallState, number> = { offered: 0, ringing: 1, answered: 2, ended: 3 };

export function applyEvent(book: CallBook, event: CallEvent): { book: CallBook; steps: Lifecycle[] } {
  if (book.ended.includes(event.callId)) return { book, steps: [] };
  const existing = book.calls[event.callId];
  if (!existing && event.type === 'ended') {
    // We never saw this call: nothing to pop or record, but remember it so a late replay stays quiet.
    return { book: { ...book, ended: remember(book.ended, event.callId) }, steps: [] };
  }
  const steps: Lifecycle[] = [];
  let call: Call = existing ?? {
    id: event.callId,
    direction: event.type === 'offered' ? event.direction : directionOf(event),
    state: 'offered',
    applications: [],
    offeredAt: event.at,
    variables: {},
  };
  if (!existing) {
    call = withVariables(call, 'variables' in event ? event.variables : undefined);
    steps.push({ step: 'offered', call });
  }

  switch (event.type) {
    case 'offered':
      if (existing) {
        const merged = withVariables(call, event.variables, true);
        if (merged !== call) steps.push({ step: 'variables', call: (call = merged) });
      }
      break;
    case 'variables': {
      if (existing) {
        const merged = withVariables(call, event.variables);
        if (merged !== call) steps.push({ step: 'variables', call: (call = merged) });
      }
      break;
    }
    case 'application': {
      const { type, name } = event.application;
      if (call.state === 'ended' || call.applications.some((a) => a.type === type && a.name === name)) break;
      const application = { type, name, at: event.at };
      call = {
        ...call,
        applications: [...call.applications, application],
        variables: { ...call.variables, application: name, application_type: type },
      };
      steps.push({ step: 'application', call, application });
      break;
    }
    case 'ringing':
    case 'answered': {
      const target: CallState = event.type;
      if (RANK[call.state] >= RANK[target]) break;
      call = withVariables(call, event.variables);
      call = {
        ...call,
        state: target,
        ...(target === 'ringing' ? { ringingAt: event.at } : { answeredAt: event.at }),
      };
      steps.push({ step: target, call });
      break;
    }
    case 'ended':
      call = { ...call, state: 'ended', endedAt: event.at, cause: event.cause, pbxCdr: event.cdr ?? call.pbxCdr };
      steps.push({ step: 'ended', call });
      break;
  }

  if (steps.length === 0) return { book, steps };
  // An ended call stays in the book until its post-call record is safely queued (forgetCall), so a
  // worker killed in between redoes that step on restart instead of losing the record.
  const ended = call.state === 'ended' ? remember(book.ended, call.id) : book.ended;
  return { book: { ...book, calls: { ...book.calls, [call.id]: call }, ended }, steps };
}

/** Drops an ended call once its post-call record is persisted. */
export function forgetCall(book: CallBook, callId: string): CallBook {
  if (!book.calls[callId]) return book;
  const { [callId]: _gone, ...calls } = book.calls;
  return { ...book, calls, popped: book.popped.filter((id) => id !== callId) };
}

/** Records that the call was popped; false when it already was (the caller must not pop again). */
export function markPopped(book: CallBook, callId: string): { book: CallBook; first: boolean } {
  if (book.popped.includes(callId) || book.ended.includes(callId)) return { book, first: false };
  return { book: { ...book, popped: [...book.popped, callId] }, first: true };
}

/** Applies values a CTI reply set; they carry into later templates and the post-call record. */
export function setVariables(book: CallBook, callId: string, variables: Record<string, string>): CallBook {
  const call = book.calls[callId];
  if (!call) return book;
  const replied = [...new Set([...(call.replied ?? []), ...Object.keys(variables)])];
  return { ...book, calls: { ...book.calls, [callId]: { ...call, replied, variables: { ...call.variables, ...variables } } } };
}

function directionOf(event: CallEvent): Call['direction'] {
  const d = 'variables' in event ? event.variables?.direction : undefined;
  return d === 'outbound' || d === 'internal' ? d : 'inbound';
}

/** Merges PBX variables; `onlyMissing` keeps values already known (a replayed offer must not undo a reply's changes). */
function withVariables(call: Call, variables: Record<string, string | undefined> | undefined, onlyMissing = false): Call {
  if (!variables) return call;
  let next: Call['variables'] | undefined;
  for (const [k, v] of Object.entries(variables)) {
    if (v === undefined || call.variables[k] === v || call.replied?.includes(k)) continue;
    if (onlyMissing && call.variables[k]) continue;
    next ??= { ...call.variables };
    next[k] = v;
  }
  return next ? { ...call, variables: next } : call;
}

function remember(list: string[], id: string): string[] {
  const next = [...list, id];
  return next.length > ENDED_MEMORY ? next.slice(next.length - ENDED_MEMORY) : next;
}
