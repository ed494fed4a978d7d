import type { DialPlan } from './plan-dial';

/** A call the user asked for, as the side panel shows it until the PBX reports the real call. */
export interface DialCard {
  id: string;
  /** For people: `+49 30 1234567`. */
  display: string;
  /** What the PBX dials. */
  dial: string;
  endpoint: string;
  state: 'calling' | 'failed';
  /** Why the PBX (or we) refused it, in words. */
  reason?: string;
  /** The call id the PBX named, once it did. */
  callId?: string;
  at: number;
}

/** A second click on the same number from the same phone within this time is the same call. */
export const DOUBLE_CLICK_MS = 4000;
/** A failure stays on screen this long. */
const FAILED_MS = 15_000;
/** A placed call the PBX never reports (e.g. the phone was not picked up) is forgotten after the ring time plus this. */
const REPORT_GRACE_MS = 15_000;

/**
 * The dials in flight: one card per call the user asked for, from the click until the PBX's own
 * call events take over (`settle`), or a refusal. Clicks on the same number and phone while one is
 * being placed (or just after) return the existing card and place no second call.
 */
export function createDialTracker(opts: { now: () => number; ringTimeoutS: () => number }) {
  let cards: DialCard[] = [];
  let seq = 0;
  /** When each number was last asked for from each phone (kept past the card, which goes when the call shows). */
  const asked = new Map<string, number>();

  function prune(knownCallIds: Set<string>) {
    const t = opts.now();
    cards = cards.filter((c) => {
      if (c.callId && knownCallIds.has(c.callId)) return false;
      if (c.state === 'failed') return t - c.at < FAILED_MS;
      return t - c.at < opts.ringTimeoutS() * 1000 + REPORT_GRACE_MS;
    });
  }

  return {
    /** A new card, or undefined when this is a repeat of a call being placed (a double click). */
    begin(plan: DialPlan): DialCard | undefined {
      const t = opts.now();
      const key = `${plan.endpoint}\n${plan.number.dial}`;
      const inFlight = cards.some((c) => c.state === 'calling' && !c.callId && c.dial === plan.number.dial && c.endpoint === plan.endpoint);
      if (inFlight || t - (asked.get(key) ?? -Infinity) < DOUBLE_CLICK_MS) return undefined;
      for (const [k, at] of asked) if (t - at >= DOUBLE_CLICK_MS) asked.delete(k);
      asked.set(key, t);
      const card: DialCard = { id: `d${++seq}-${t.toString(36)}`, display: plan.number.display, dial: plan.number.dial, endpoint: plan.endpoint, state: 'calling', at: t };
      cards.push(card);
      return card;
    },
    placed(id: string, callId: string | undefined) {
      const card = cards.find((c) => c.id === id);
      if (card) card.callId = callId;
    },
    failed(id: string, reason: string) {
      const card = cards.find((c) => c.id === id);
      if (!card) return;
      // A refusal does not reopen the double-click window: the second click of a double click
      // arrives after a quick refusal and would otherwise ask the PBX again.
      card.state = 'failed';
      card.reason = reason;
      card.at = opts.now();
    },
    /** The cards to show, without those whose call the PBX has reported (it shows as itself now). */
    current(knownCallIds: Set<string>): DialCard[] {
      prune(knownCallIds);
      return cards.map((c) => ({ ...c }));
    },
  };
}

export type DialTracker = ReturnType<typeof createDialTracker>;
