import { useState } from 'preact/hooks';
import type { HistoryEntry } from '@/utils/view-state';
import { DIRECTION_GLYPH, formatDuration } from './call-card-model';
import { entryParty, filterHistory, type HistoryFilter } from './history-model';
import { useT } from './i18n-context';

const OUTCOMES: HistoryFilter['outcome'][] = ['all', 'answered', 'missed', 'busy', 'failed', 'answered-elsewhere'];
const POSTCALL_TONE = { none: 'idle', pending: 'warn', delivered: 'ok', dead: 'error' } as const;

export function HistoryList({ history, formatTime, onCallBack }: { history: HistoryEntry[]; formatTime: (epochMs: number) => string; onCallBack: (number: string, asDialled: boolean) => void }) {
  const t = useT();
  const [filter, setFilter] = useState<HistoryFilter>({ query: '', outcome: 'all' });
  const rows = filterHistory(history, filter);
  return (
    <section class="stack" aria-labelledby="history-heading">
      <h2 id="history-heading">{t('history_heading')}</h2>
      <div class="row">
        <label class="sr-only" for="history-search">{t('history_search')}</label>
        <input
          id="history-search"
          type="search"
          placeholder={t('history_search')}
          value={filter.query}
          data-testid="history-search"
          onInput={(e) => setFilter({ ...filter, query: e.currentTarget.value })}
        />
        <label class="sr-only" for="history-outcome">{t('history_outcome')}</label>
        <select
          id="history-outcome"
          value={filter.outcome}
          data-testid="history-outcome"
          onChange={(e) => setFilter({ ...filter, outcome: e.currentTarget.value as HistoryFilter['outcome'] })}
        >
          {OUTCOMES.map((o) => <option key={o} value={o}>{t(`history_outcome_${o.replace('-', '_')}`)}</option>)}
        </select>
      </div>
      {rows.length === 0 ? (
        <p class="muted" data-testid="history-empty">{t(history.length ? 'history_no_match' : 'history_empty')}</p>
      ) : (
        <ul class="history" data-testid="history-list">
          {rows.map((entry) => ({ entry, party: entryParty(entry) })).map(({ entry, party }) => (
            <li key={entry.id} data-testid="history-row" data-outcome={entry.outcome}>
              <span class={`direction dir-${entry.direction}`} aria-label={t(`direction_${entry.direction}`)}>{DIRECTION_GLYPH[entry.direction]}</span>
              <div class="history-party">
                <div class="history-name">{party.name || party.number ? <bdi>{party.name || party.number}</bdi> : t('unknown_caller')}</div>
                <div class="mono muted">{party.name && <bdi>{party.number}</bdi>} {formatTime(entry.startedAt)}</div>
              </div>
              <div class="history-meta">
                <span class={`badge outcome-${entry.outcome}`}>{t(`history_outcome_${entry.outcome.replace('-', '_')}`)}</span>
                <span class="mono muted">{formatDuration(entry.billsec)}</span>
                {entry.number && (
                  <button type="button" class="small" data-testid="history-call-back" title={t('call_back_number', party.number)} onClick={() => onCallBack(entry.number, entry.direction === 'outbound')}>
                    {t('call_back')}
                  </button>
                )}
                {entry.postcall !== 'none' && (
                  <span class={`badge tone-${POSTCALL_TONE[entry.postcall]}`} data-testid="history-postcall" data-postcall={entry.postcall}>
                    {t(`postcall_${entry.postcall}`)}
                  </span>
                )}
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
