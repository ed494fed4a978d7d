import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Call } from '@/utils/calls/call';
import { createTranslate } from '@/utils/i18n';
import { DOWN_COLOR, RINGING_COLOR, toolbarBadge } from '@/utils/toolbar-badge';
import type { CallCard, ConnectionHealth } from '@/utils/view-state';

const messages = JSON.parse(readFileSync(new URL('../../../public/_locales/en/messages.json', import.meta.url), 'utf8')) as Record<string, { message: string }>;
/** The real English messages, with browser.i18n's $1 substitution. */
const t = createTranslate((key, subs = []) => (messages[key]?.message ?? '').replace(/\$(\d)/g, (_, n: string) => subs[Number(n) - 1] ?? ''));

const connected: ConnectionHealth = { state: 'connected', since: 0 };
const card = (id: string, state: Call['state'], direction: Call['direction'] = 'inbound'): CallCard => ({
  call: { id, direction, state, applications: [], offeredAt: 0, variables: {} } as Call,
  lookups: [],
  pop: { state: 'none' },
});
const badge = (connection: ConnectionHealth, calls: CallCard[], doNotDisturb = false) => toolbarBadge({ connection, calls, doNotDisturb }, t);

/** White badge text needs 4.5:1 against the badge colour (WCAG AA). */
function contrastWithWhite(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 1.05 / (0.2126 * r! + 0.7152 * g! + 0.0722 * b! + 0.05);
}

describe('toolbar badge', () => {
  it('is empty while connected and nothing rings, and says so in the title', () => {
    expect(badge(connected, [])).toMatchObject({ text: '', title: 'CTI Pop — Connected' });
    expect(badge(connected, [], true).title).toBe('CTI Pop — Connected · Do not disturb');
    expect(badge({ state: 'unconfigured', since: 0 }, []).title).toBe('CTI Pop — Not set up');
  });

  it('counts the calls ringing now: inbound and internal, not answered, ended or outbound ones', () => {
    const calls = [card('a', 'ringing'), card('b', 'ringing', 'internal'), card('c', 'answered'), card('d', 'ended'), card('e', 'ringing', 'outbound'), card('f', 'offered')];
    expect(badge(connected, calls)).toEqual({ text: '2', color: RINGING_COLOR, title: 'CTI Pop — Calls ringing: 2' });
    expect(badge(connected, [card('a', 'ringing')]).text).toBe('1');
  });

  it('fits four characters for a very busy line', () => {
    const many = Array.from({ length: 140 }, (_, i) => card(String(i), 'ringing'));
    expect(badge(connected, many).text).toBe('99+');
  });

  it('marks a connection that is down, with the reason, even while calls seem to ring', () => {
    const down: ConnectionHealth = { state: 'reconnecting', since: 0, lastError: 'the PBX closed the stream (1006)' };
    expect(badge(down, [card('a', 'ringing')])).toEqual({ text: '!', color: DOWN_COLOR, title: 'CTI Pop — PBX connection down: the PBX closed the stream (1006)' });
    expect(badge({ state: 'error', since: 0 }, [])).toMatchObject({ text: '!', title: 'CTI Pop — PBX connection down' });
    // The first connect after start is not "down": no alarm before anything failed.
    expect(badge({ state: 'connecting', since: 0 }, []).text).toBe('');
  });

  it('keeps white badge text readable on every colour', () => {
    for (const color of [RINGING_COLOR, DOWN_COLOR, badge(connected, []).color]) expect(contrastWithWhite(color), color).toBeGreaterThanOrEqual(4.5);
  });
});
