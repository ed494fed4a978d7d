import { useState } from 'preact/hooks';
import { planDial } from '@/utils/dial/plan-dial';
import type { Settings } from '@/utils/settings/schema';
import { loadAllPhoneMetadata } from '@/utils/templates/all-phone-metadata';
import { useT } from '../i18n-context';

// The options page may carry every number plan (90 kB); the background loads them per country.
loadAllPhoneMetadata();

/** "This dials as …" for a sample number, live from the form's (unsaved) dialling rules. */
export function DialPreview({ settings, id }: { settings: Settings; id: string }) {
  const t = useT();
  const [sample, setSample] = useState('+49 30 1234567');
  // The preview must not fail for want of a phone: the rules, not the endpoint, are what it shows.
  const connection = { ...settings.connection, endpoints: settings.connection.endpoints.length ? settings.connection.endpoints : ['PJSIP/100'] };
  const plan = planDial(sample, { ...settings, connection });
  return (
    <div class="row dial-preview" data-testid="dial-preview">
      <label for={id}>{t('dial_preview_sample')}</label>
      <input id={id} type="tel" value={sample} data-testid="dial-preview-input" onInput={(e) => setSample(e.currentTarget.value)} />
      <span>{t('dial_preview')}</span>
      <output for={id} class={`mono ${plan.ok ? '' : 'tone-error'}`} data-testid="dial-preview-output" data-ok={String(plan.ok)}>
        {plan.ok ? plan.value.number.dial : plan.error}
      </output>
    </div>
  );
}
