import { useEffect, useState } from 'preact/hooks';
import { redactUrl } from '@/utils/templates/redact-url';
import { useT } from './i18n-context';

/** How long a page may take to load before we assume it refuses to be framed. */
const LOAD_TIMEOUT_MS = 8000;

/**
 * The CRM page in the side panel. Limits: a page cannot tell us it refuses framing
 * (X-Frame-Options / CSP frame-ancestors are not readable from the parent, and browsers still
 * fire `load` for the blocked error page), so we detect only a page that never loads within
 * LOAD_TIMEOUT_MS, plus refusals the background found itself (`refused`). "Open in tab" is
 * therefore always offered. The sandbox keeps the page from navigating the panel itself and from
 * starting downloads.
 */
export function PopFrame({ url, refused, onOpenInTab }: { url: string; refused?: string; onOpenInTab: () => void }) {
  const t = useT();
  const [loaded, setLoaded] = useState(false);
  const [timedOut, setTimedOut] = useState(false);
  useEffect(() => {
    setLoaded(false);
    setTimedOut(false);
    const timer = setTimeout(() => setTimedOut(true), LOAD_TIMEOUT_MS);
    return () => clearTimeout(timer);
  }, [url]);
  const blocked = refused !== undefined || (timedOut && !loaded);
  // The frame loads the real URL; people see it without credentials.
  const shown = redactUrl(url);
  return (
    <div class="pop-frame" data-testid="pop-frame">
      <div class="spread pop-bar">
        <span class="mono muted" title={shown} data-testid="pop-url">{shown}</span>
        <button type="button" class="small" data-testid="open-in-tab" onClick={onOpenInTab}>{t('open_in_tab')}</button>
      </div>
      {blocked ? (
        <p class="notice tone-warn" role="alert" data-testid="pop-refused">
          <span>{refused ?? t('frame_refused')}</span>
        </p>
      ) : (
        <iframe
          src={url}
          title={t('pop_frame_title')}
          // No referrer (the panel's extension URL is nobody's business) and no downloads: a CRM page
          // pushed by a caller's call must not drop files on the agent's disk.
          referrerpolicy="no-referrer"
          sandbox="allow-scripts allow-same-origin allow-forms allow-popups allow-popups-to-escape-sandbox"
          onLoad={() => setLoaded(true)}
        />
      )}
    </div>
  );
}
