/**
 * A padlock drawn in SVG: the 🔒 emoji shows as an empty box where no emoji font is installed
 * (common on Linux desktops). Decorative; the element around it carries the accessible name.
 */
export function LockIcon() {
  return (
    <svg class="lock-icon" viewBox="0 0 16 16" width="12" height="12" aria-hidden="true" focusable="false">
      <path fill="currentColor" d="M4.5 7V5a3.5 3.5 0 0 1 7 0v2h.5A1 1 0 0 1 13 8v6a1 1 0 0 1-1 1H4a1 1 0 0 1-1-1V8a1 1 0 0 1 1-1h.5Zm1.5 0h4V5a2 2 0 0 0-4 0v2Z" />
    </svg>
  );
}

/** A translated sentence with its 🔒 shown as the drawn padlock. */
export function WithLockIcon({ text }: { text: string }) {
  const parts = text.split('🔒');
  return <>{parts.map((part, i) => (i === 0 ? part : [<LockIcon key={i} />, part]))}</>;
}
