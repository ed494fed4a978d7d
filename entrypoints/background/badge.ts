import { browser } from 'wxt/browser';
import { createTranslate } from '@/utils/i18n';
import { toolbarBadge, type ToolbarBadge } from '@/utils/toolbar-badge';
import { VIEW_KEY, type ViewState } from '@/utils/view-state';

/**
 * Keeps the toolbar badge in step with the published view. It follows the view in
 * `storage.session` rather than the publisher itself, so it sees exactly what the pages see, at
 * the publisher's pace. The browser is only asked to change what did change.
 */
export function followViewWithBadge(): void {
  const t = createTranslate((key, subs) => browser.i18n.getMessage(key as never, subs));
  let shown: ToolbarBadge | undefined;
  const show = (view: ViewState) => {
    const next = toolbarBadge(view, t);
    if (shown?.text === next.text && shown.color === next.color && shown.title === next.title) return;
    shown = next;
    void Promise.all([
      browser.action.setBadgeText({ text: next.text }),
      browser.action.setBadgeBackgroundColor({ color: next.color }),
      browser.action.setBadgeTextColor?.({ color: '#ffffff' }),
      browser.action.setTitle({ title: next.title }),
    ]).catch(() => (shown = undefined));
  };
  browser.storage.onChanged.addListener((changes, area) => {
    const view = changes[VIEW_KEY]?.newValue as ViewState | undefined;
    if (area === 'session' && view) show(view);
  });
}
