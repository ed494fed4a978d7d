import { useRef } from 'preact/hooks';
import type { CallCard } from '@/utils/view-state';
import { useT } from './i18n-context';

/**
 * Tells screen readers about a call that starts ringing, once. The region is always in the page
 * (a live region added together with its text is often not read), and its text changes only when
 * a call rings that was not announced yet: the seconds ticking on the card, a lookup renaming the
 * caller or the call being answered say nothing.
 */
export function RingAnnouncer({ calls }: { calls: CallCard[] }) {
  const t = useT();
  const announced = useRef<{ ids: Set<string>; text: string }>({ ids: new Set(), text: '' });
  const fresh = calls.filter((c) => c.call.state === 'ringing' && c.call.direction !== 'outbound' && !announced.current.ids.has(c.call.id));
  if (fresh.length) {
    for (const c of fresh) announced.current.ids.add(c.call.id);
    announced.current.text = fresh
      .map(({ call }) => t('call_announce', [call.variables.calleridname, call.variables.calleridnumber].filter(Boolean).join(', ') || t('unknown_caller')))
      .join(' ');
  }
  return <p class="sr-only" aria-live="assertive" aria-atomic="true" data-testid="call-announcer">{announced.current.text}</p>;
}
