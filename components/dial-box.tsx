import { useState } from 'preact/hooks';
import type { DialCard } from '@/utils/dial/dial-tracker';
import type { DialReply } from '@/utils/messages';
import { screenText } from './call-card-model';
import { useT } from './i18n-context';

export interface DialBoxProps {
  phones: { endpoints: string[]; selected: string };
  dials: DialCard[];
  onDial: (input: string, phone: string) => Promise<DialReply>;
}

/** Type or paste a number, Enter dials; with several phones the user picks which one rings. */
export function DialBox({ phones, dials, onDial }: DialBoxProps) {
  const t = useT();
  const [input, setInput] = useState('');
  const [phone, setPhone] = useState('');
  const [busy, setBusy] = useState(false);
  const [refused, setRefused] = useState<string | undefined>();
  const ringing = phone || phones.selected;
  const submit = async (e: Event) => {
    e.preventDefault();
    // One request at a time from this box: a double Enter or click places one call.
    if (busy) return;
    setBusy(true);
    setRefused(undefined);
    const reply = await onDial(input, ringing).finally(() => setBusy(false));
    if (reply.ok) setInput('');
    else setRefused(reply.reason);
  };
  return (
    <section class="stack" aria-labelledby="dial-heading">
      <h2 id="dial-heading" class="sr-only">{t('dial_heading')}</h2>
      <form class="row dial-box" onSubmit={submit} data-testid="dial-form">
        <label class="sr-only" for="dial-input">{t('dial_input')}</label>
        <input id="dial-input" type="tel" inputMode="tel" autocomplete="off" placeholder={t('dial_input')} value={input} data-testid="dial-input"
          onInput={(e) => setInput(e.currentTarget.value)} />
        {phones.endpoints.length > 1 && (
          <select aria-label={t('dial_phone')} title={t('dial_phone')} value={ringing} data-testid="dial-phone" onChange={(e) => setPhone(e.currentTarget.value)}>
            {phones.endpoints.map((p) => <option key={p} value={p}>{p}</option>)}
          </select>
        )}
        <button type="submit" class="small" disabled={busy || !input.trim()} data-testid="dial-button">{t('dial_button')}</button>
      </form>
      {refused && <p class="notice tone-error" role="alert" data-testid="dial-refused"><span>{refused}</span></p>}
      {dials.map((d) => (
        <p key={d.id} class={`notice ${d.state === 'failed' ? 'tone-error' : 'tone-warn'}`} role={d.state === 'failed' ? 'alert' : 'status'}
          data-testid="dial-card" data-state={d.state} data-call-id={d.callId ?? ''}>
          <span>
            {d.state === 'failed' ? t('dial_failed', screenText(d.display), screenText(d.reason ?? '')) : t('dial_calling', screenText(d.display), d.endpoint)}
          </span>
        </p>
      ))}
    </section>
  );
}
