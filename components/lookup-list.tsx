import type { LookupRecord } from '@/utils/calls/call';
import { screenText } from './call-card-model';
import { useT } from './i18n-context';

/** The CTI requests made for a call: where, how it went, how long, what the reply changed. */
export function LookupList({ lookups }: { lookups: LookupRecord[] }) {
  const t = useT();
  if (!lookups.length) return null;
  return (
    <ul class="lookups" data-testid="call-lookups">
      {lookups.map((lookup, i) => (
        <li key={i} data-testid="call-lookup" data-outcome={lookup.outcome}>
          <div class="spread">
            <span>
              <strong>{t(`point_${lookup.point}`)}</strong>{' '}
              <span class={`badge tone-${lookup.outcome === 'ok' ? 'ok' : lookup.outcome === 'pending' ? 'idle' : 'error'}`}>
                {t(`outcome_${lookup.outcome.replace('-', '_')}`)}
                {lookup.status !== undefined ? ` ${lookup.status}` : ''}
              </span>
            </span>
            <span class="muted" data-testid="lookup-ms">{t('ms', Math.round(lookup.ms))}</span>
          </div>
          <div class="mono muted">{lookup.url}</div>
          {lookup.detail && <div class="muted">{lookup.detail}</div>}
          {lookup.changes && <ChangeList changes={lookup.changes} />}
        </li>
      ))}
    </ul>
  );
}

export function ChangeList({ changes }: { changes: Record<string, { from: string; to: string }> }) {
  const entries = Object.entries(changes);
  if (!entries.length) return null;
  return (
    <ul class="changes" data-testid="changes">
      {entries.map(([name, change]) => (
        <li key={name} class="mono">
          {name}: <Value text={screenText(change.from)} tag="del" /> → <Value text={screenText(change.to)} tag="ins" />
        </li>
      ))}
    </ul>
  );
}

/** An empty value reads as "∅" — muted, since there is nothing to strike out or insert. */
function Value({ text, tag: Tag }: { text: string; tag: 'del' | 'ins' }) {
  return text ? <Tag><bdi>{text}</bdi></Tag> : <span class="muted">∅</span>;
}
