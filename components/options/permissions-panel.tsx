import { useT } from '../i18n-context';

export interface OriginGrant {
  pattern: string;
  granted: boolean;
}

/** Which hosts the extension may call, and a button to ask for the missing ones. */
export function PermissionsPanel({ grants, problems, onGrant }: { grants: OriginGrant[]; problems: string[]; onGrant: () => void }) {
  const t = useT();
  const missing = grants.filter((g) => !g.granted).length;
  return (
    <div class="stack" data-testid="permissions">
      <p class="help muted">{t('permissions_help')}</p>
      {grants.length === 0 ? (
        <p class="muted">{t('permissions_none')}</p>
      ) : (
        <ul class="grants">
          {grants.map((g) => (
            <li key={g.pattern} data-testid="origin" data-granted={String(g.granted)}>
              <span class={`badge tone-${g.granted ? 'ok' : 'error'}`}>{t(g.granted ? 'permission_granted' : 'permission_missing')}</span>{' '}
              <span class="mono">{g.pattern}</span>
            </li>
          ))}
        </ul>
      )}
      {problems.map((p) => <p key={p} class="notice tone-warn"><span>{p}</span></p>)}
      {missing > 0 && (
        <div><button type="button" data-testid="grant-permissions" onClick={onGrant}>{t('permissions_grant')}</button></div>
      )}
    </div>
  );
}
