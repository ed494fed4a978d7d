import { useState } from 'preact/hooks';
import type { MessageResult } from '@/utils/adapters/messaging';
import { useT } from '../i18n-context';

export interface SignOutProps {
  onSignOut: (discardQueued: boolean) => Promise<MessageResult<{ ok: boolean; undelivered: number }>>;
}

type State = { step: 'idle' | 'working' | 'done' } | { step: 'undelivered'; count: number } | { step: 'error'; text: string };

/**
 * "Sign out and clear data": queued post-call records are delivered first; only when some cannot
 * be does the user get the explicit choice to discard them (a record is never dropped silently).
 */
export function SignOut({ onSignOut }: SignOutProps) {
  const t = useT();
  const [state, setState] = useState<State>({ step: 'idle' });
  const run = async (discard: boolean) => {
    setState({ step: 'working' });
    const result = await onSignOut(discard);
    if (!result.ok) setState({ step: 'error', text: result.error });
    else if (!result.value.ok) setState({ step: 'undelivered', count: result.value.undelivered });
    else setState({ step: 'done' });
  };
  return (
    <div class="stack" data-testid="signout-panel">
      <p class="help muted">{t('signout_help')}</p>
      <div class="row">
        <button type="button" data-testid="signout" disabled={state.step === 'working'} onClick={() => void run(false)}>
          {state.step === 'working' ? t('signout_working') : t('signout')}
        </button>
      </div>
      {state.step === 'undelivered' && (
        <div class="notice tone-warn stack" role="alert" data-testid="signout-undelivered">
          <span>{t('signout_undelivered', state.count)}</span>
          <div class="row">
            <button type="button" data-testid="signout-discard" onClick={() => void run(true)}>{t('signout_discard')}</button>
          </div>
        </div>
      )}
      {state.step === 'done' && <p class="notice tone-ok" role="status" data-testid="signout-done"><span>{t('signout_done')}</span></p>}
      {state.step === 'error' && <p class="notice tone-error" role="alert"><span>{state.text}</span></p>}
    </div>
  );
}
