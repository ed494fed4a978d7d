import type { SettingField } from '@/utils/settings/settings-fields';
import { settingKey } from '@/utils/i18n';
import { useT } from '../i18n-context';
import { LockIcon } from '../lock-icon';
import { FieldControl } from './field-control';
import type { FieldError } from './field-error';

export interface RulesEditorProps {
  field: SettingField;
  rules: Record<string, unknown>[];
  locked: boolean;
  errors: Map<string, FieldError>;
  onChange: (rules: Record<string, unknown>[]) => void;
}

/** A list setting of records (per-application CTI rules, the route allow-list) as an editable list: add, remove, reorder (first match wins). */
export function RulesEditor({ field, rules, locked, errors, onChange }: RulesEditorProps) {
  const t = useT();
  const update = (index: number, key: string, value: unknown) =>
    onChange(rules.map((rule, i) => (i === index ? { ...rule, [key]: value } : rule)));
  const move = (from: number, to: number) => {
    const next = [...rules];
    const [rule] = next.splice(from, 1);
    next.splice(to, 0, rule!);
    onChange(next);
  };
  // Both record kinds have a `queue` type; every other field of theirs has a default.
  const blank = field.element!.parse({ type: 'queue' }) as Record<string, unknown>;
  const idBase = field.path.replace(/\./g, '-');
  return (
    <fieldset class="field rules" data-testid={`rules-${idBase}`} disabled={locked}>
      <legend class="field-label">
        {t(settingKey(field.path, 'label'))}
        {locked && <span class="lock" role="img" title={t('locked_by_policy')} aria-label={t('locked_by_policy')} data-testid={`setting-${idBase}-locked`}><LockIcon /></span>}
      </legend>
      <p class="help muted">{t(settingKey(field.path, 'help'))}</p>
      {rules.length === 0 && <p class="muted">{t('rules_empty')}</p>}
      {rules.map((rule, index) => (
        <div key={index} class="card rule" data-testid="rule">
          <div class="spread">
            <strong>{t('rule_heading', index + 1)}</strong>
            <div class="row">
              <button type="button" class="small" aria-label={t('rule_up')} title={t('rule_up')} disabled={index === 0} onClick={() => move(index, index - 1)}>↑</button>
              <button type="button" class="small" aria-label={t('rule_down')} title={t('rule_down')} disabled={index === rules.length - 1} onClick={() => move(index, index + 1)}>↓</button>
              <button type="button" class="small" data-testid="rule-remove" onClick={() => onChange(rules.filter((_, i) => i !== index))}>{t('rule_remove')}</button>
            </div>
          </div>
          <div class="rule-grid">
            {field.itemFields!.map((item) => {
              const key = item.path.slice(field.path.length + 1);
              return (
                <FieldControl
                  key={key}
                  field={item}
                  id={`${idBase}-${index}-${key}`}
                  value={rule[key]}
                  locked={locked}
                  error={errors.get(`${field.path}.${index}.${key}`)}
                  onChange={(value) => update(index, key, value)}
                />
              );
            })}
          </div>
        </div>
      ))}
      <div>
        <button type="button" data-testid="rule-add" disabled={locked || rules.length >= 50} onClick={() => onChange([...rules, blank])}>
          {t('rule_add')}
        </button>
      </div>
    </fieldset>
  );
}
