import type { OutboxView } from '@/utils/view-state';
import { useT } from './i18n-context';

/** Post-call records that could not be delivered, each with its reason and a retry. */
export function DeadLetters({ outbox, now, onRetry }: { outbox: OutboxView; now: number; onRetry: (key: string) => void }) {
  const t = useT();
  if (!outbox.pending && !outbox.dead.length) return null;
  return (
    <section class="stack" aria-labelledby="outbox-heading" data-testid="outbox">
      <h2 id="outbox-heading">{t('outbox_heading')}</h2>
      {outbox.pending > 0 && (
        <p class="muted" data-testid="outbox-pending">
          {outbox.nextAttemptAt !== undefined
            ? t('outbox_pending_next', outbox.pending, Math.max(0, Math.ceil((outbox.nextAttemptAt - now) / 1000)))
            : t('outbox_pending', outbox.pending)}
        </p>
      )}
      {outbox.dead.map((letter) => (
        <div key={letter.key} class="card dead-letter" data-testid="dead-letter">
          <div class="mono">{letter.url}</div>
          <div class="spread">
            <span class="muted">{letter.reason}</span>
            <button type="button" class="small" data-testid="dead-letter-retry" onClick={() => onRetry(letter.key)}>{t('retry')}</button>
          </div>
        </div>
      ))}
    </section>
  );
}
