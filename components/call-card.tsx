import type { CallCard } from '@/utils/view-state';
import { callParty, callTimer, DIRECTION_GLYPH, formatDuration } from './call-card-model';
import { useT } from './i18n-context';
import { LookupList } from './lookup-list';
import { PopFrame } from './pop-frame';

/** One current call. Caller name and number are shown as text only: anyone can set a caller ID. */
export function CallCardView({ card, now, showFrame, onOpenInTab }: { card: CallCard; now: number; showFrame: boolean; onOpenInTab: () => void }) {
  const t = useT();
  const { call, pop } = card;
  const party = callParty(call);
  const timer = callTimer(call, now);
  return (
    <article class={`card call state-${call.state}`} data-testid="call-card" data-call-id={call.id} data-state={call.state}>
      <header class="spread">
        <div class="row call-party">
          <span class={`direction dir-${call.direction}`} aria-hidden="true">{DIRECTION_GLYPH[call.direction]}</span>
          <div>
            {/* <bdi>: a right-to-left caller ID cannot reorder the text around it. */}
            <h3 data-testid="call-name">{party.name ? <bdi>{party.name}</bdi> : t('unknown_caller')}</h3>
            {party.number && <div class="mono muted" data-testid="call-number"><bdi>{party.number}</bdi></div>}
          </div>
        </div>
        <div class="call-timer">
          <span class="sr-only">{t(`direction_${call.direction}`)}</span>
          <span class="badge">{t(timer.stateKey)}</span>
          <span class="mono" data-testid="call-timer">{formatDuration(timer.seconds)}</span>
        </div>
      </header>
      {call.applications.length > 0 && (
        <div class="row apps" data-testid="call-applications">
          {call.applications.map((app, i) => (
            <span key={i} class="badge">{t(`app_${app.type}`)}: {app.name}</span>
          ))}
        </div>
      )}
      <LookupList lookups={card.lookups} />
      {pop.state === 'popped' && pop.url && showFrame ? (
        <PopFrame url={pop.url} onOpenInTab={onOpenInTab} />
      ) : pop.state === 'refused' && pop.url ? (
        <PopFrame url={pop.url} refused={pop.detail ?? t('frame_refused')} onOpenInTab={onOpenInTab} />
      ) : pop.state !== 'none' ? (
        <div class="spread pop-line" data-testid="pop-state" data-pop={pop.state}>
          <span class="muted">{t(`pop_${pop.state}`)}{pop.detail ? ` — ${popDetail(pop.detail, t)}` : ''}</span>
          {pop.url && <button type="button" class="small" onClick={onOpenInTab}>{t('open_in_tab')}</button>}
        </div>
      ) : null}
    </article>
  );
}

/** Where a pop went, or why there was none, in words; anything else (an error) as it came. */
const POP_DETAILS = new Set(['sidepanel', 'notification', 'badge', 'window', 'tab', 'do-not-disturb', 'direction', 'no-url']);
function popDetail(detail: string, t: (key: string) => string): string {
  return POP_DETAILS.has(detail) ? t(`pop_detail_${detail.replace(/-/g, '_')}`) : detail;
}
