import { readdirSync, readFileSync } from 'node:fs';
import type { CallEvent } from '../../../utils/calls/call-event';
import { createAriTranslator, type AriTranslatorOptions } from '../../../utils/connectors/ari-translate';
import { scenario as scenarioSchema, type Scenario } from '../../sim/scenario';
import { ariTimeline, type TimedFrame } from '../../sim/ari/timeline';

export const START = Date.UTC(2026, 10, 28, 0, 21, 7, 123);

/** The frames of a recorded trace (test/fixtures/ari/NAME.jsonl), unwrapped. */
export function traceFrames(name: string): unknown[] {
  const text = readFileSync(new URL(`../../fixtures/ari/${name}.jsonl`, import.meta.url), 'utf8');
  return text.trim().split('\n').map((l) => (JSON.parse(l) as { event: unknown }).event);
}

export function traceLines(name: string): string[] {
  return readFileSync(new URL(`../../fixtures/ari/${name}.jsonl`, import.meta.url), 'utf8').trim().split('\n');
}

/** A scenario file of the simulator (test/sim/scenarios/NAME.json). */
export function scenarioFile(name: string): Scenario {
  return scenarioSchema.parse(JSON.parse(readFileSync(new URL(`../../sim/scenarios/${name}.json`, import.meta.url), 'utf8')));
}

export function inline(calls: unknown[]): Scenario {
  return scenarioSchema.parse({ name: 'inline', description: '', calls });
}

export function framesOf(s: Scenario): TimedFrame[] {
  return ariTimeline(s, { startMs: START });
}

/** Runs frames (as raw text, as the WebSocket delivers them) through a translator for `endpoint`. */
export function translate(frames: unknown[], endpoint: string, opts: Partial<AriTranslatorOptions> = {}): CallEvent[] {
  const t = createAriTranslator({ endpoints: [endpoint], ...opts });
  return frames.flatMap((f) => t.handle(JSON.stringify(f)));
}

/** Events with `at` relative to START and without the bulky offered variables, for compact assertions. */
export function outline(events: CallEvent[]): string[] {
  return events.map((e) => {
    const at = e.at - START;
    switch (e.type) {
      case 'offered': return `offered ${e.direction} ${e.variables.calleridnumber ?? ''} @${at}`;
      case 'application': return `application ${e.application.type}:${e.application.name} @${at}`;
      case 'variables': return `variables ${JSON.stringify(e.variables)} @${at}`;
      case 'ended': return `ended ${e.cause ?? '-'} @${at}`;
      default: return `${e.type} @${at}`;
    }
  });
}

/** Every recorded (and synthetic) trace in test/fixtures/ari/. */
export function traceNames(): string[] {
  return readdirSync(new URL('../../fixtures/ari/', import.meta.url)).filter((n) => n.endsWith('.jsonl')).map((n) => n.slice(0, -'.jsonl'.length)).sort();
}
