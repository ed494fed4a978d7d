import { createCallTranslator, orderedSteps, type CallTranslator, type PendingFrame } from './json-stream';
import type { SimPlugin } from './plugin';
import type { Scenario } from './scenario';

export interface PlayOptions {
  /** Time scale: step `at` ms plays after `at / speed` ms. */
  speed: number;
  /** Attach a classic CDR to every `ended` frame. */
  withCdr: boolean;
}

export interface PlayResult {
  callIds: string[];
  /** Wall-clock ms until the last step (scaled). */
  durationMs: number;
  /** Resolves after the last step was played (or the player was stopped). */
  done: Promise<void>;
}

export interface ScenarioPlayer {
  play(s: Scenario, opts: PlayOptions): PlayResult;
  find(callId: string): CallTranslator | undefined;
  /** Calls whose hangup has not been played yet. */
  activeCalls(): CallTranslator[];
  /** Cancels every pending step. */
  stop(): void;
}

/** Schedules scenario steps on real timers and feeds the frames they produce to `publish`. */
export function createScenarioPlayer(deps: { publish: (f: PendingFrame) => void; now: () => number; plugin?: SimPlugin }): ScenarioPlayer {
  const calls = new Map<string, CallTranslator>();
  const pending = new Set<{ timer: NodeJS.Timeout; finish: () => void }>();
  let seq = 0;
  let run = 0;
  const nextSeq = () => ++seq;

  return {
    play(s, opts) {
      if (!(opts.speed > 0)) throw new Error(`speed must be > 0, got ${opts.speed}`);
      run += 1;
      const startEpochMs = deps.now();
      const translators = new Map(s.calls.map((c) => {
        const t = createCallTranslator(c, { callId: `${s.name}-${c.id}-${run}`, startEpochMs, withCdr: opts.withCdr, nextSeq });
        calls.set(t.callId, t);
        return [c, t] as const;
      }));
      const steps = orderedSteps(s);
      const lastAt = steps.at(-1)?.step.at ?? 0;
      deps.plugin?.play(s, opts.speed);
      // One timer at a time, in order: steps due at the same moment must keep their file order.
      const done = new Promise<void>((resolve) => {
        let i = 0;
        const next = () => {
          while (i < steps.length) {
            const item = steps[i];
            if (!item) break;
            const wait = startEpochMs + item.step.at / opts.speed - deps.now();
            if (wait > 0) {
              const entry = { timer: setTimeout(() => { pending.delete(entry); next(); }, wait), finish: resolve };
              pending.add(entry);
              return;
            }
            i += 1;
            for (const f of translators.get(item.call)?.step(item.step) ?? []) deps.publish(f);
          }
          resolve();
        };
        next();
      });
      return { callIds: [...translators.values()].map((t) => t.callId), durationMs: lastAt / opts.speed, done };
    },
    find: (callId) => calls.get(callId),
    activeCalls: () => [...calls.values()].filter((c) => c.isActive()),
    stop() {
      for (const p of pending) {
        clearTimeout(p.timer);
        p.finish();
      }
      pending.clear();
    },
  };
}
