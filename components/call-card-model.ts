import type { Call } from '@/utils/calls/call';
import { otherParty } from '@/utils/calls/other-party';
import { cleanValue } from '@/utils/templates/clean-value';

/** `75` → `1:15`, `3725` → `1:02:05`. */
export function formatDuration(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  const [h, m, sec] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60];
  const pad = (n: number) => String(n).padStart(2, '0');
  return h ? `${h}:${pad(m)}:${pad(sec)}` : `${m}:${pad(sec)}`;
}

/**
 * The live timer of a call card: how long it has been ringing, talking, or lasted in all.
 *
 * @example callTimer({ state: 'answered', answeredAt: 10_000, … }, 75_000).seconds === 65
 */
export function callTimer(call: Call, now: number): { stateKey: string; seconds: number } {
  const since = (from: number, to = now) => Math.floor((to - from) / 1000);
  switch (call.state) {
    case 'answered':
      return { stateKey: 'call_state_answered', seconds: since(call.answeredAt ?? call.offeredAt) };
    case 'ended':
      return { stateKey: 'call_state_ended', seconds: since(call.answeredAt ?? call.offeredAt, call.endedAt ?? now) };
    case 'ringing':
      return { stateKey: 'call_state_ringing', seconds: since(call.ringingAt ?? call.offeredAt) };
    default:
      return { stateKey: 'call_state_offered', seconds: since(call.offeredAt) };
  }
}

/**
 * Text from outside (a caller ID, a CTI reply) as it may appear on screen, cleaned as CTI.md §2
 * asks: no line breaks or control characters, and no bidi overrides — U+202E would show the caller
 * name "gnp.exe" as "exe.png".
 */
export const screenText = (value: string): string => cleanValue(value);

/** The other party as plain text; a missing name falls back to the number, never to blank. */
export function callParty(call: Call): { name: string; number: string } {
  const other = otherParty(call);
  const number = screenText(other.number);
  const name = screenText(other.name);
  return { name: name || number, number: name ? number : '' };
}

/** An arrow that reads at a glance; the direction is also spelled out for screen readers. */
export const DIRECTION_GLYPH: Record<Call['direction'], string> = { inbound: '↙', outbound: '↗', internal: '⇄' };
