import type { Translate } from './i18n';
import type { ViewState } from './view-state';

export interface ToolbarBadge {
  /** At most 4 characters fit; '' hides the badge. */
  text: string;
  /** Background colour; the text is white, so each colour keeps 4.5:1 contrast with it. */
  color: string;
  /** The toolbar button's tooltip (and accessible name). */
  title: string;
}

/** Green as in "answer": a call waits for the agent. */
export const RINGING_COLOR = '#1a7f37';
/** Red with "!": the PBX connection is down, so calls may ring unseen. */
export const DOWN_COLOR = '#c62828';
const IDLE_COLOR = '#5b6676';

/**
 * What the toolbar button shows: the number of calls ringing now, or a clear mark while the PBX
 * connection is down (it outranks the count: a count read from a dead connection may be stale).
 * Outbound calls ringing at the far end are not counted; nobody needs to pick those up.
 */
export function toolbarBadge(view: Pick<ViewState, 'connection' | 'calls' | 'doNotDisturb'>, t: Translate): ToolbarBadge {
  const name = t('extName');
  const { connection } = view;
  if (connection.state === 'reconnecting' || connection.state === 'error') {
    const why = connection.lastError ? `: ${connection.lastError}` : '';
    return { text: '!', color: DOWN_COLOR, title: `${name} — ${t('badge_down')}${why}` };
  }
  const ringing = view.calls.filter((c) => c.call.state === 'ringing' && c.call.direction !== 'outbound').length;
  if (ringing > 0) {
    return { text: ringing > 99 ? '99+' : String(ringing), color: RINGING_COLOR, title: `${name} — ${t('badge_ringing', ringing)}` };
  }
  const status = connection.state === 'connected' ? t('conn_connected') : connection.state === 'connecting' ? t('conn_connecting') : t('conn_unconfigured');
  const dnd = view.doNotDisturb ? ` · ${t('dnd_label')}` : '';
  return { text: '', color: IDLE_COLOR, title: `${name} — ${status}${dnd}` };
}
