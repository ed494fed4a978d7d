import { browser } from 'wxt/browser';
import { send } from '@/utils/adapters/messaging';
import '@/components/theme.css';

/**
 * The `tel:` link handler (Firefox `protocol_handlers`): the link arrives as `?uri=tel:…`; it is
 * dialled once, the page says what happened. The page is opened by the browser for the user's
 * click on a link, so only the number can come from the page that had the link.
 */
const t = (key: Parameters<typeof browser.i18n.getMessage>[0], ...subs: string[]) => browser.i18n.getMessage(key, subs);
const status = document.getElementById('status')!;
document.title = t('dial_page_title');
document.getElementById('title')!.textContent = t('dial_page_title');
const uri = new URLSearchParams(location.search).get('uri') ?? '';
status.textContent = t('dial_page_placing', uri.replace(/^tel:/i, ''));
void send('dial', { input: uri }).then((r) => {
  const reply = r.ok ? r.value : { ok: false as const, reason: r.error };
  status.dataset.state = reply.ok ? 'placed' : 'refused';
  status.textContent = reply.ok ? t('dial_page_done', reply.display) : reply.reason;
  status.className = `notice ${reply.ok ? 'tone-ok' : 'tone-error'}`;
});
