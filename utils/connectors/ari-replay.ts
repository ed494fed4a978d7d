import type { CallEvent } from '../calls/call-event';
import { createAriTranslator, type AriTranslator, type AriTranslatorOptions } from './ari-translate';

/**
 * Replays recorded ARI frames (one JSON object a line) through the translator, for the CLI's
 * `replay --connector ari`. A line may be the frame itself or a recording wrapper
 * `{"received_at", "received_ms", "event": frame}` as in test/fixtures/ari/*.jsonl. Blank lines
 * are skipped; unreadable lines are dropped, never fatal (pass `onStats` to learn how many).
 */
export function replayAri(lines: string[], opts: AriTranslatorOptions & { onStats?: (s: ReturnType<AriTranslator['stats']>) => void }): CallEvent[] {
  const translator = createAriTranslator(opts);
  const events: CallEvent[] = [];
  for (const line of lines) {
    const text = line.trim();
    if (text === '') continue;
    events.push(...translator.handle(unwrap(text)));
  }
  opts.onStats?.(translator.stats());
  return events;
}

/** The frame inside a recording wrapper, or the line unchanged (the translator reports what it cannot read). */
function unwrap(text: string): unknown {
  if (!text.includes('"event"')) return text;
  try {
    const json: unknown = JSON.parse(text);
    if (typeof json === 'object' && json !== null && 'event' in json && !('type' in json)) return (json as { event: unknown }).event;
    return json;
  } catch {
    return text;
  }
}
