import type { ViewState } from '@/utils/view-state';
import { DIRECTION_GLYPH, formatDuration } from './call-card-model';
import { ConnectionPill } from './connection-pill';
import { DndSwitch } from './dnd-switch';
import { entryParty } from './history-model';
import { useT } from './i18n-context';

export interface PopupViewProps {
  view: ViewState | undefined;
  now: number;
  error?: string;
  /** How many recent calls to list. */
  recent: number;
  formatTime: (epochMs: number) => string;
  /** Undefined when the browser has no side panel API: the button is then hidden. */
  onOpenPanel?: () => void;
  onOpenOptions: () => void;
  onDoNotDisturb: (on: boolean) => void;
}

/** The toolbar popup: connection, do-not-disturb, the last few calls, and a way to the panel. */
export function PopupView({ view, now, error, recent, formatTime, onOpenPanel, onOpenOptions, onDoNotDisturb }: PopupViewProps) {
  const t = useT();
  const calls = view ? [...view.history].sort((a, b) => b.startedAt - a.startedAt).slice(0, recent) : [];
  // The view keeps the last few ended calls on screen too; only the others are active.
  const active = view ? view.calls.filter((c) => c.call.state !== 'ended').length : 0;
  return (
    <main class="popup stack">
      <header class="spread">
        <h1>{t('extName')}</h1>
        {view && <ConnectionPill health={view.connection} now={now} />}
      </header>
      {error && <p class="notice tone-error" role="alert" data-testid="view-error"><span>{error}</span></p>}
      {view && (
        <>
          {view.connection.state === 'error' && view.connection.lastError && <p class="muted">{view.connection.lastError}</p>}
          <DndSwitch on={view.doNotDisturb} onChange={onDoNotDisturb} />
          {active > 0 && <p class="badge tone-warn" data-testid="popup-active">{t('popup_active_calls', active)}</p>}
          <section aria-labelledby="recent-heading" class="stack">
            <h2 id="recent-heading">{t('recent_heading')}</h2>
            {calls.length === 0 ? (
              <p class="muted">{t('history_empty')}</p>
            ) : (
              <ul class="history" data-testid="popup-recent">
                {calls.map((entry) => (
                  <li key={entry.id} data-testid="history-row" data-outcome={entry.outcome}>
                    <span class={`direction dir-${entry.direction}`} aria-label={t(`direction_${entry.direction}`)}>{DIRECTION_GLYPH[entry.direction]}</span>
                    <div class="history-party">
                      <div class="history-name">{entryParty(entry).name || entryParty(entry).number ? <bdi>{entryParty(entry).name || entryParty(entry).number}</bdi> : t('unknown_caller')}</div>
                      <div class="mono muted">{formatTime(entry.startedAt)}</div>
                    </div>
                    <div class="history-meta">
                      <span class={`badge outcome-${entry.outcome}`}>{t(`history_outcome_${entry.outcome.replace('-', '_')}`)}</span>
                      <span class="mono muted">{formatDuration(entry.billsec)}</span>
                    </div>
                  </li>
                ))}
              </ul>
            )}
          </section>
        </>
      )}
      <footer class="row popup-actions">
        {onOpenPanel && <button type="button" class="primary" data-testid="open-panel" onClick={onOpenPanel}>{t('open_panel')}</button>}
        <button type="button" data-testid="open-options" onClick={onOpenOptions}>{t('open_options')}</button>
      </footer>
    </main>
  );
}
