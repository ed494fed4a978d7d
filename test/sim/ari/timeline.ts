import type { Scenario, ScenarioStep } from '../scenario';
import type { AriFrame } from './frame-builders';
import { createPbxModel, type PbxOptions } from './pbx-model';

export interface TimedFrame {
  /** Epoch ms at which the frame is sent. */
  at: number;
  frame: AriFrame;
}

/** Every step of every call, in time order (ties keep scenario order). */
export function orderedSteps(s: Scenario): { call: number; step: ScenarioStep }[] {
  return s.calls
    .flatMap((c, call) => c.steps.map((step, i) => ({ call, step, i })))
    .sort((a, b) => a.step.at - b.step.at || a.call - b.call || a.i - b.i)
    .map(({ call, step }) => ({ call, step }));
}

/**
 * The ARI frames a scenario makes, all at once (no Stasis pauses): what a `subscribeAll` client of
 * app `app` would receive. `speed` scales time as in the simulator (step `at` → `at / speed`).
 */
export function ariTimeline(s: Scenario, o: { startMs: number; speed?: number; app?: string; pbx?: PbxOptions }): TimedFrame[] {
  const pbx = createPbxModel(o.pbx);
  const calls = s.calls.map((c) => pbx.open(c));
  const app = o.app ?? 'cti';
  const out: TimedFrame[] = [];
  for (const { call, step } of orderedSteps(s)) {
    const sim = calls[call];
    if (!sim) continue;
    const at = o.startMs + Math.round(step.at / (o.speed ?? 1));
    for (const frame of pbx.step(sim, step, at)) out.push({ at, frame: withApp(frame, app) });
  }
  return out;
}

/** The same frame addressed to `app` (ARI names the receiving application in every event). */
export function withApp(frame: AriFrame, app: string): AriFrame {
  return 'application' in frame ? { ...frame, application: app } : frame;
}
