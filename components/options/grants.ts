/**
 * Whether a granted origin list covers a pattern like `https://crm.example.com/*`: exactly, by
 * `<all_urls>`, by a scheme wildcard (`https://*\/*`) or by a host with any scheme (`*://host/*`).
 */
export function isGranted(pattern: string, granted: readonly string[]): boolean {
  const match = /^([a-z]+):\/\/([^/]+)\//.exec(pattern);
  if (!match) return false;
  const [, scheme, host] = match;
  return granted.some(
    (origin) =>
      origin === pattern ||
      origin === '<all_urls>' ||
      origin === `${scheme}://*/*` ||
      origin === `*://*/*` ||
      origin === `*://${host}/*`,
  );
}
