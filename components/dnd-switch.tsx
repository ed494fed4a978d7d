import { useT } from './i18n-context';

export function DndSwitch({ on, onChange, disabled }: { on: boolean; onChange: (on: boolean) => void; disabled?: boolean }) {
  const t = useT();
  return (
    <label class="switch" title={t('dnd_help')}>
      <input
        type="checkbox"
        role="switch"
        checked={on}
        disabled={disabled}
        aria-checked={on}
        data-testid="dnd-switch"
        onChange={(e) => onChange(e.currentTarget.checked)}
      />
      <span>{t('dnd_label')}</span>
    </label>
  );
}
