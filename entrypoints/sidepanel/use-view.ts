import { useEffect, useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import { send } from '@/utils/adapters/messaging';
import { VIEW_KEY, type ViewState } from '@/utils/view-state';

/**
 * The background's published view (storage.session), kept current, plus a clock for live timers.
 * Shared by the side panel and the popup.
 */
export function useView(): { view: ViewState | undefined; error: string | undefined; now: number } {
  const [view, setView] = useState<ViewState>();
  const [error, setError] = useState<string>();
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    let pushed = false;
    const listener = (changes: Record<string, { newValue?: unknown }>, area: string) => {
      const change = changes[VIEW_KEY];
      if (area !== 'session' || !change?.newValue) return;
      pushed = true;
      setView(change.newValue as ViewState);
      setError(undefined);
    };
    browser.storage.onChanged.addListener(listener);
    void send('getView', {}).then((result) => {
      // A pushed update is newer than this answer.
      if (pushed) return;
      if (result.ok) setView(result.value);
      else setError(result.error);
    });
    const clock = setInterval(() => setNow(Date.now()), 1000);
    return () => {
      browser.storage.onChanged.removeListener(listener);
      clearInterval(clock);
    };
  }, []);
  return { view, error, now };
}
