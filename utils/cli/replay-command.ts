import { applyEvent, emptyBook, forgetCall } from '../calls/call-book';
import type { CallEvent } from '../calls/call-event';
import { buildCdr } from '../cdr/build-cdr';
import { replayAri } from '../connectors/ari-replay';
import { createJsonSession } from '../connectors/json-session';

/**
 * `ctipop replay`: recorded stream frames in (one per line, as received), one JSON line per
 * normalised lifecycle step out, each with the call's variables at that moment, and a `cdr` line
 * after each finished call — exactly what the extension's engine would see.
 */
export function replayCommand(lines: string[], opts: { connector: 'json' | 'ari'; me: string[]; trunks?: string[] }): { output: string; exitCode: 0 | 1 } {
  const events: CallEvent[] = opts.connector === 'ari' ? replayAri(lines, { endpoints: opts.me, trunks: opts.trunks }) : replayJson(lines, opts.me);
  let book = emptyBook();
  const out: string[] = [];
  for (const event of events) {
    const result = applyEvent(book, event);
    book = result.book;
    for (const step of result.steps) {
      if (step.step === 'variables') continue;
      const { call } = step;
      out.push(JSON.stringify({ event: step.step, callId: call.id, direction: call.direction, at: event.at, ...(step.step === 'ended' && { cause: call.cause ?? null }), variables: call.variables }));
      if (step.step === 'ended') {
        out.push(JSON.stringify({ event: 'cdr', callId: call.id, ...buildCdr(call) }));
        book = forgetCall(book, call.id);
      }
    }
  }
  return { output: out.length ? `${out.join('\n')}\n` : '', exitCode: 0 };
}

function replayJson(lines: string[], me: string[]): CallEvent[] {
  const session = createJsonSession({ endpoints: me, token: '', activeCallIds: () => [], now: () => 0 });
  return lines.filter((l) => l.trim()).flatMap((line) => session.handle(line.trim()).events);
}
