import type { ConnectionHealth } from '@/utils/view-state';
import { connectionSummary } from './connection-model';
import { useT } from './i18n-context';

/** "Connected" / "Reconnecting in 4 s" / "Error: …", announced politely when it changes. */
export function ConnectionPill({ health, now }: { health: ConnectionHealth; now: number }) {
  const t = useT();
  const summary = connectionSummary(health, now);
  return (
    <span class={`pill tone-${summary.tone}`} role="status" data-testid="connection-state" data-state={health.state} title={health.url ?? ''}>
      {t(summary.key, ...summary.subs)}
    </span>
  );
}
