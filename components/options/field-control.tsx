import type { SettingField } from '@/utils/settings/settings-fields';
import { optionKey, settingKey } from '@/utils/i18n';
import { useT } from '../i18n-context';
import { LockIcon } from '../lock-icon';
import type { FieldError } from './field-error';
import { TemplateField } from './template-field';

export interface FieldControlProps {
  field: SettingField;
  value: unknown;
  /** Unique per rendered control (record fields repeat). */
  id: string;
  locked: boolean;
  error?: FieldError;
  /** For secrets: whether a value is stored (it is never shown). */
  secretStored?: boolean;
  onChange: (value: unknown) => void;
}

/** One setting: label and help from i18n keys derived from its path, the control its kind calls for. */
export function FieldControl({ field, value, id, locked, error, secretStored, onChange }: FieldControlProps) {
  const t = useT();
  const testid = `setting-${id}`;
  const helpId = `${id}-help`;
  const errorId = `${id}-error`;
  const described = error ? `${helpId} ${errorId}` : helpId;
  const common = { id, disabled: locked, 'aria-describedby': described, 'aria-invalid': error !== undefined, 'data-testid': testid };
  const label = (
    <label for={id} class="field-label">
      {t(settingKey(field.path, 'label'))}
      {locked && <span class="lock" role="img" title={t('locked_by_policy')} aria-label={t('locked_by_policy')} data-testid={`${testid}-locked`}><LockIcon /></span>}
    </label>
  );
  const help = <p id={helpId} class="help muted">{t(settingKey(field.path, 'help'))}</p>;
  const errorLine = error && <p id={errorId} class="field-error" role="alert">{t(error.key, ...error.subs)}</p>;

  if (field.kind === 'boolean') {
    return (
      <div class={`field field-boolean${locked ? ' is-locked' : ''}`}>
        <div class="row">
          <input type="checkbox" {...common} checked={value === true} onChange={(e) => onChange(e.currentTarget.checked)} />
          {label}
        </div>
        {help}
      </div>
    );
  }

  let control;
  switch (field.kind) {
    case 'choice':
      control = (
        <select {...common} value={String(value)} onChange={(e) => onChange(e.currentTarget.value)}>
          {field.options!.map((o) => <option key={o} value={o}>{t(optionKey(field.path, o))}</option>)}
        </select>
      );
      break;
    case 'number':
      control = (
        <input
          type="number"
          {...common}
          min={field.min}
          max={field.max}
          step={1}
          value={Number.isFinite(value) ? String(value) : ''}
          onInput={(e) => onChange(e.currentTarget.value === '' ? Number.NaN : Number(e.currentTarget.value))}
        />
      );
      break;
    case 'secret':
      control = (
        <input
          type="password"
          {...common}
          autocomplete="off"
          value={String(value ?? '')}
          placeholder={secretStored ? t('secret_stored') : t('secret_empty')}
          onInput={(e) => onChange(e.currentTarget.value)}
        />
      );
      break;
    case 'list':
      control = (
        <textarea
          {...common}
          rows={3}
          class="mono"
          value={(value as string[]).join('\n')}
          onInput={(e) => onChange(e.currentTarget.value.split('\n').map((line) => line.trim()).filter(Boolean))}
        />
      );
      break;
    case 'template':
      control = (
        <TemplateField
          id={id}
          value={String(value ?? '')}
          kind={field.template ?? 'call'}
          disabled={locked}
          invalid={error !== undefined}
          describedBy={described}
          testid={testid}
          onChange={onChange}
        />
      );
      break;
    default:
      control = <input type="text" {...common} spellcheck={false} value={String(value ?? '')} onInput={(e) => onChange(e.currentTarget.value)} />;
  }
  return (
    <div class={`field field-${field.kind}${locked ? ' is-locked' : ''}`}>
      {label}
      {help}
      {control}
      {errorLine}
    </div>
  );
}
