import type { Call, LookupRecord } from '../calls/call';
import type { CallEvent } from '../calls/call-event';
import { applyEvent, emptyBook, forgetCall, markPopped, setVariables, type CallBook, type Lifecycle } from '../calls/call-book';
import { buildCdr, cdrKey } from '../cdr/build-cdr';
import { applyReply } from '../reply/apply-reply';
import { bookWrites } from './book-writes';
import { expandTemplate } from '../templates/expand-template';
import type { LookupResult } from '../lookup/lookup-runner';
import { parseReply, type Reply } from '../reply/parse-reply';
import { redactUrl } from '../templates/redact-url';
import { CALL_VARIABLES, CDR_VARIABLES } from '../templates/variables';
import type { Settings } from '../settings/schema';
import type { PopState } from '../view-state';
import { applicationRequests, appliesReplies, popDecision, preCallRequests, type PlannedRequest } from './control-points';
import { checkRoute, type DialplanTarget } from './route-policy';
import { callVariables, cdrVariables, prepareNumbers } from './call-variables';

export interface ReplyActions {
  set: Record<string, string>;
  route: Reply['route'];
  break: boolean;
  /** The dialplan target the route allow-list gave `route` (ARI continues the call there). */
  target?: DialplanTarget;
}

export interface EngineDeps {
  settings: () => Settings;
  now: () => number;
  /** `timeoutMs` is what is left of the lookup timeout, counted from the triggering frame's arrival. */
  lookup: (url: string, timeoutMs: number) => Promise<LookupResult>;
  /** Shows the pop-up; `url` is already expanded and checked. */
  pop: (call: Call, url: string) => Promise<void>;
  /** Resolves once the record is persisted in the outbox (not when it is delivered). */
  queuePostCall: (key: string, url: string) => Promise<void>;
  /** Asks the PBX to act on a reply; absent when the connector cannot control calls. */
  control?: (callId: string, actions: ReplyActions) => Promise<{ ok: boolean; reason?: string }>;
  saveBook: (book: CallBook) => Promise<void>;
  /** A call ended and its post-call record (if any, by key) is queued: history, notifications. */
  onEnded: (call: Call, postcallKey: string | undefined) => void;
  /** Something the UI shows changed (call, lookup record, pop state). */
  onChange: (callId: string) => void;
}

export interface CallActivity {
  lookups: LookupRecord[];
  pop: { state: PopState; url?: string; detail?: string; at?: number };
}

const CALL_NAMES: readonly string[] = CALL_VARIABLES;
const CDR_NAMES: readonly string[] = [...CALL_VARIABLES, ...CDR_VARIABLES];

/**
 * The CTI engine: feeds normalised events to the call model and runs the control points of
 * CTI.md §1 for each lifecycle step. Events are handled one at a time in arrival order; the slow
 * work of a call (lookups, then pop, then post-call) runs on that call's own chain, so a slow CRM
 * delays only its own call, and the pop waits for the pre-call reply (bounded by its timeout).
 */
export function createEngine(deps: EngineDeps, initial: CallBook) {
  let book = initial;
  let queue: Promise<void> = Promise.resolve();
  const chains = new Map<string, Promise<void>>();
  const activity = new Map<string, CallActivity>();
  /** Pops decided and not yet shown: what `popsShown` waits for. */
  const pendingPops = new Set<Promise<void>>();
  /** Per call, the PBX's answer to the last control request: the call's chain does not wait for it (see runAll). */
  const controlling = new Map<string, Promise<void>>();

  const activityOf = (callId: string) => {
    let a = activity.get(callId);
    if (!a) activity.set(callId, (a = { lookups: [], pop: { state: 'none' } }));
    return a;
  };

  /** Runs `work` after everything already queued for this call; failures never break the chain. */
  const onCall = (callId: string, work: () => Promise<void>) => {
    const next = (chains.get(callId) ?? Promise.resolve()).then(work).catch((error) => {
      activityOf(callId).lookups.push({ point: 'inbound', url: '', outcome: 'invalid', ms: 0, detail: `internal error: ${String(error)}` });
    });
    chains.set(callId, next);
    void next.then(() => chains.get(callId) === next && chains.delete(callId));
    return next;
  };

  const save = bookWrites(() => deps.saveBook(book));

  /** `startedAt` (deps.now time): when the frame that called for this request arrived; the timeout counts from there. */
  async function request(callId: string, planned: PlannedRequest, startedAt?: number): Promise<ReplyActions | undefined> {
    const settings = deps.settings();
    if (book.calls[callId]) await prepareNumbers(book.calls[callId], settings.numbers.homeCountry, planned.template);
    const call = book.calls[callId];
    if (!call) return undefined;
    const expanded = expandTemplate(planned.template, callVariables(call, settings.numbers.homeCountry), { known: CALL_NAMES });
    const record: LookupRecord = { point: planned.point, url: '', outcome: 'pending', ms: 0 };
    activityOf(callId).lookups.push(record);
    if (!expanded.ok) {
      Object.assign(record, { url: redactUrl(planned.template), outcome: 'refused', detail: expanded.reason });
      deps.onChange(callId);
      return undefined;
    }
    record.url = redactUrl(expanded.url);
    const timeoutMs = settings.advanced.lookupTimeoutMs - (startedAt === undefined ? 0 : Math.max(0, deps.now() - startedAt));
    const result = await deps.lookup(expanded.url, Math.max(1, timeoutMs));
    Object.assign(record, { outcome: result.outcome, status: result.status, ms: Math.round(result.ms * 10) / 10, detail: result.error });
    if (result.outcome !== 'ok') return void deps.onChange(callId);
    const parsed = parseReply(result.bytes ?? result.body ?? '', { maxBytes: settings.advanced.maxReplyBytes });
    if (!parsed.ok) {
      Object.assign(record, { outcome: 'invalid', detail: parsed.line ? `${parsed.error} (line ${parsed.line}, column ${parsed.column})` : parsed.error });
      return void deps.onChange(callId);
    }
    if (parsed.issues.length) record.detail = parsed.issues.map((i) => `${i.path}: ${i.message}`).join('; ');
    const current = book.calls[callId];
    if (!current) return undefined;
    const applied = applyReply(current.variables, parsed.value);
    record.changes = applied.changes;
    const changed = Object.fromEntries(Object.entries(applied.changes).map(([k, c]) => [k, c.to]));
    if (Object.keys(changed).length) {
      book = setVariables(book, callId, changed);
      // Not awaited: the pop needs no stored copy of the reply's values (its popped flag is
      // stored already), and every later write carries them too, in order.
      void save().catch(() => undefined);
    }
    const actions: ReplyActions = applied.actions;
    if (actions.route) {
      const allowed = checkRoute(actions.route, settings.security.routes, { via: expanded.url, control: appliesReplies(settings) });
      if (allowed.ok) actions.target = allowed.value;
      else {
        // Refused whole, as a broken route block is: its break goes with it.
        Object.assign(actions, { route: null, break: false });
        note(record, allowed.error);
      }
    }
    deps.onChange(callId);
    if (actions.route && !deps.control) note(record, `route to ${actions.route.type} ${actions.route.name} shown only: the connector cannot control calls`);
    return actions;
  }

  /**
   * Runs the requests in order until one says `break`, then hands the PBX what the replies asked
   * for. Pre-call control always reaches the connector, even with nothing to apply: a call held
   * in the PBX's Stasis application waits for exactly that word to continue. The pop does not
   * wait for the PBX's acknowledgement (a round trip, up to 3 s from a silent server): it shows the
   * reply's values already, and the PBX's own events say what became of the call. Requests for one
   * call still go out one at a time, in order.
   */
  async function runAll(callId: string, requests: PlannedRequest[], always: boolean, arrivedAt: number) {
    const merged: ReplyActions = { set: {}, route: null, break: false };
    let last: LookupRecord | undefined;
    for (const [index, planned] of requests.entries()) {
      // The first request's deadline runs from the frame's arrival; each later one has its own.
      const actions = await request(callId, planned, index === 0 ? arrivedAt : undefined);
      last = activityOf(callId).lookups.at(-1);
      if (!actions) continue;
      Object.assign(merged.set, actions.set);
      if (actions.route) Object.assign(merged, { route: actions.route, target: actions.target });
      if (actions.break) {
        merged.break = true;
        break;
      }
    }
    const wanted = Object.keys(merged.set).length > 0 || merged.route !== null;
    if (!deps.control || !(always || wanted)) return;
    const control = deps.control;
    const done = (controlling.get(callId) ?? Promise.resolve())
      .then(() => control(callId, merged))
      .catch((error: unknown) => ({ ok: false, reason: `internal error: ${String(error)}` }))
      .then((outcome) => {
        if (!outcome.ok && wanted && last) {
          note(last, `PBX did not apply the reply: ${outcome.reason}`);
          deps.onChange(callId);
        }
      });
    controlling.set(callId, done);
    void done.then(() => controlling.get(callId) === done && controlling.delete(callId));
  }

  /** `reserved`: the popped flag went into the book with the event's own write (see `process`). */
  async function popCall(callId: string, reserved: boolean) {
    const settings = deps.settings();
    // Decided by the event that called for the pop: a call that ends before it is shown (while its
    // ringing is written, its lookup runs or its number plan loads) still pops. A missed pop is
    // the complaint users have most; the CRM page of a caller who hung up is their call-back.
    if (!book.calls[callId]) return;
    await prepareNumbers(book.calls[callId], settings.numbers.homeCountry, settings.cti.popupUrl);
    const call = book.calls[callId];
    if (!call) return;
    const marked = reserved ? { book, first: true } : markPopped(book, callId);
    if (!marked.first) return;
    const a = activityOf(callId);
    const expanded = expandTemplate(settings.cti.popupUrl, callVariables(call, settings.numbers.homeCountry), { known: CALL_NAMES });
    if (!expanded.ok) {
      a.pop = { state: 'refused', detail: expanded.reason, at: deps.now() };
      return void deps.onChange(callId);
    }
    // Recorded before the pop is shown: a worker killed in between misses one pop rather than
    // showing it twice after the restart.
    if (!reserved) {
      book = marked.book;
      await save();
    }
    a.pop = { state: 'popped', url: expanded.url, at: deps.now() };
    await deps.pop(call, expanded.url);
    deps.onChange(callId);
  }

  async function postCall(callId: string) {
    const settings = deps.settings();
    if (book.calls[callId]) await prepareNumbers(book.calls[callId], settings.numbers.homeCountry, settings.cti.postCallUrl);
    const call = book.calls[callId];
    if (!call) return;
    let key: string | undefined;
    if (settings.cti.postCallUrl) {
      const cdr = buildCdr(call);
      const expanded = expandTemplate(settings.cti.postCallUrl, cdrVariables(call, cdr, settings.numbers.homeCountry), { known: CDR_NAMES });
      if (expanded.ok) {
        key = cdrKey(call);
        await deps.queuePostCall(key, expanded.url);
      } else {
        // Its delivery shows in the history; only a refusal belongs on the card.
        activityOf(callId).lookups.push({ point: 'postcall', url: redactUrl(settings.cti.postCallUrl), outcome: 'refused', ms: 0, detail: expanded.reason });
      }
    }
    deps.onEnded(call, key);
    book = forgetCall(book, callId);
    await save();
  }

  function react(step: Lifecycle, arrivedAt: number, reserved: Set<string>) {
    const settings = deps.settings();
    const id = step.call.id;
    switch (step.step) {
      case 'offered':
        return onCall(id, () => runAll(id, preCallRequests(settings, step.call), true, arrivedAt));
      case 'application':
        return onCall(id, () => runAll(id, applicationRequests(settings, step.call, step.application), false, arrivedAt));
      case 'ringing':
      case 'answered': {
        const decision = popDecision(settings, step.call, step.step);
        if (decision.pop) {
          const shown = onCall(id, () => popCall(id, reserved.has(id)));
          pendingPops.add(shown);
          void shown.then(() => pendingPops.delete(shown));
          return shown;
        }
        const a = activityOf(id);
        if (a.pop.state === 'none' && decision.reason !== 'not-yet') a.pop = { state: 'suppressed', detail: decision.reason };
        return deps.onChange(id);
      }
      case 'variables':
        return deps.onChange(id);
      case 'ended':
        return onCall(id, () => postCall(id));
    }
  }

  /** Per call, how many of its steps wait for their event's write before they react. */
  const waiting = new Map<string, number>();

  /**
   * One storage write per event: a pop the event calls for is marked in the same write, so the
   * pop itself needs none (a worker killed after the write misses that pop rather than showing
   * it twice after the restart). The event is applied as it arrives and its write is pipelined
   * (book-writes.ts), not queued behind the previous event's. A lookup needs nothing stored, so
   * it starts as its frame arrives, not after the write (the pop it delays waits for the write
   * anyway), unless an earlier step of the call still waits: a call's steps react in order.
   */
  function process(event: CallEvent, arrivedAt: number): Promise<void> {
    const result = applyEvent(book, event);
    if (result.book === book) return queue;
    book = result.book;
    const reserved = new Set<string>();
    const settings = deps.settings();
    for (const step of result.steps) {
      if ((step.step === 'ringing' || step.step === 'answered') && popDecision(settings, step.call, step.step).pop) {
        const marked = markPopped(book, step.call.id);
        if (!marked.first) continue;
        book = marked.book;
        reserved.add(step.call.id);
      }
    }
    // A failed write (storage full, profile gone) must not stop the calls: they go on, and only
    // the guarantee against a second pop after a restart is lost for this event.
    const written = save().catch(() => undefined);
    const later: Lifecycle[] = [];
    for (const step of result.steps) {
      const id = step.call.id;
      if ((step.step === 'offered' || step.step === 'application') && !waiting.has(id)) void react(step, arrivedAt, reserved);
      else {
        later.push(step);
        waiting.set(id, (waiting.get(id) ?? 0) + 1);
      }
    }
    queue = Promise.all([queue, written]).then(() => {
      // The card shows the new state at once, even while the call's own work (lookup, pop) waits.
      deps.onChange(event.callId);
      for (const step of later) {
        const left = (waiting.get(step.call.id) ?? 1) - 1;
        if (left > 0) waiting.set(step.call.id, left);
        else waiting.delete(step.call.id);
        void react(step, arrivedAt, reserved);
      }
    });
    return queue;
  }

  return {
    /** `arrivedAt` (deps.now time): when the frame carrying the event arrived; lookup deadlines count from it. */
    handle(event: CallEvent, arrivedAt = deps.now()): Promise<void> {
      return process(event, arrivedAt);
    },
    /** Resolves once every pop decided so far has been shown (or given up). */
    async popsShown(): Promise<void> {
      await Promise.all([...pendingPops]);
    },
    /** After a restart: redo the post-call step of calls that ended before their record was queued. */
    resume(): void {
      for (const call of Object.values(book.calls)) if (call.state === 'ended') void onCall(call.id, () => postCall(call.id));
    },
    /** Resolves when every call's pending work is done (tests, shutdown). */
    async idle(): Promise<void> {
      await queue;
      while (chains.size || controlling.size) await Promise.all([...chains.values(), ...controlling.values()]);
    },
    book: () => book,
    /** Sign-out: forgets every call and what was shown of it. */
    async forgetAll(): Promise<void> {
      book = emptyBook();
      activity.clear();
      await save();
    },
    activity: (callId: string): CallActivity | undefined => activity.get(callId),
    /** Drops UI activity of calls no longer in the book (keeps memory flat). */
    prune(keep: Set<string>): void {
      for (const id of activity.keys()) if (!book.calls[id] && !keep.has(id)) activity.delete(id);
    },
  };
}

export type CtiEngine = ReturnType<typeof createEngine>;

function note(record: LookupRecord, text: string): void {
  record.detail = [record.detail, text].filter(Boolean).join('; ');
}
