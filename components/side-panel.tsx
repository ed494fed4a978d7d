import type { ViewState } from '@/utils/view-state';
import { CallCardView } from './call-card';
import { ConnectionPill } from './connection-pill';
import { DeadLetters } from './dead-letters';
import { DialBox } from './dial-box';
import type { DialReply } from '@/utils/messages';
import { DndSwitch } from './dnd-switch';
import { HistoryList } from './history-list';
import { RingAnnouncer } from './ring-announcer';
import { useT } from './i18n-context';

export interface SidePanelProps {
  /** Undefined until the background has answered. */
  view: ViewState | undefined;
  now: number;
  /** Why the view could not be loaded, if it could not. */
  error?: string;
  formatTime: (epochMs: number) => string;
  onDoNotDisturb: (on: boolean) => void;
  onRetry: (key: string) => void;
  onOpenInTab: (callId: string) => void;
  onOpenOptions: () => void;
  /** Click-to-dial: `phone` is one of the user's endpoints (empty: the default one). */
  onDial: (input: string, phone: string, asDialled?: boolean) => Promise<DialReply>;
}

export function SidePanel({ view, now, error, formatTime, onDoNotDisturb, onRetry, onOpenInTab, onOpenOptions, onDial }: SidePanelProps) {
  const t = useT();
  // The most recently popped call gets the frame; others offer "Open in tab". With a tab or window
  // as the pop target the page is already open there, and a frame would load it a second time.
  const framed = view?.framePops
    ? view.calls.filter((c) => c.pop.state === 'popped' && c.pop.url).sort((a, b) => (b.pop.at ?? 0) - (a.pop.at ?? 0))[0]?.call.id
    : undefined;
  return (
    <main class="panel stack">
      <header class="spread panel-header">
        <h1>{t('extName')}</h1>
        <div class="row">
          {view && <DndSwitch on={view.doNotDisturb} onChange={onDoNotDisturb} />}
          <button type="button" class="small icon" title={t('open_options')} aria-label={t('open_options')} data-testid="open-options" onClick={onOpenOptions}>⚙</button>
        </div>
      </header>
      {error && <p class="notice tone-error" role="alert" data-testid="view-error"><span>{error}</span></p>}
      {!view ? (
        !error && <p class="muted">{t('loading')}</p>
      ) : (
        <>
          <div class="row"><ConnectionPill health={view.connection} now={now} /></div>
          {view.connection.state === 'error' && view.connection.lastError && (
            <p class="notice tone-error" data-testid="connection-error"><span>{view.connection.lastError}</span></p>
          )}
          {view.connection.state === 'unconfigured' && (
            <p class="notice tone-warn"><span>{t('setup_hint')} </span><button type="button" class="small" onClick={onOpenOptions}>{t('open_options')}</button></p>
          )}
          <DialBox phones={view.phones} dials={view.dials} onDial={onDial} />
          <section class="stack" aria-labelledby="calls-heading">
            <h2 id="calls-heading">{t('calls_heading')}</h2>
            {view.calls.length === 0 ? (
              <p class="muted" data-testid="no-calls">{t('no_calls')}</p>
            ) : (
              view.calls.map((card) => (
                <CallCardView key={card.call.id} card={card} now={now} showFrame={card.call.id === framed} onOpenInTab={() => onOpenInTab(card.call.id)} />
              ))
            )}
          </section>
          <DeadLetters outbox={view.outbox} now={now} onRetry={onRetry} />
          <HistoryList history={view.history} formatTime={formatTime} onCallBack={(number, asDialled) => void onDial(number, '', asDialled)} />
        </>
      )}
      <RingAnnouncer calls={view?.calls ?? []} />
    </main>
  );
}
