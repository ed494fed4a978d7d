import type { HistoryEntry } from '@/utils/view-state';
import { screenText } from './call-card-model';

export interface HistoryFilter {
  /** Matches the name case-insensitively or the number's digits ("+49 30 1" finds 49301…). */
  query: string;
  outcome: HistoryEntry['outcome'] | 'all';
}

/** The history rows the filter lets through, newest first. */
export function filterHistory(history: readonly HistoryEntry[], filter: HistoryFilter): HistoryEntry[] {
  const text = filter.query.trim().toLocaleLowerCase();
  const digits = filter.query.replace(/\D/g, '');
  return history
    .filter((entry) => filter.outcome === 'all' || entry.outcome === filter.outcome)
    .filter(
      (entry) =>
        !text ||
        entry.name.toLocaleLowerCase().includes(text) ||
        entry.number.toLocaleLowerCase().includes(text) ||
        (digits.length > 0 && entry.number.replace(/\D/g, '').includes(digits)),
    )
    .sort((a, b) => b.startedAt - a.startedAt);
}

/** "14:05" for today, "27.11.24, 14:05" (locale's short form) for earlier days. */
export function formatCallTime(epochMs: number, now: number, locale: string): string {
  const date = new Date(epochMs);
  const today = new Date(now).toDateString() === date.toDateString();
  return new Intl.DateTimeFormat(locale, today ? { timeStyle: 'short' } : { dateStyle: 'short', timeStyle: 'short' }).format(date);
}

/** A history row's other party as screen text (see screenText). */
export function entryParty(entry: HistoryEntry): { name: string; number: string } {
  return { name: screenText(entry.name), number: screenText(entry.number) };
}
