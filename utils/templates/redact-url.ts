import { cleanValue } from './clean-value';

/**
 * A URL made safe to log or show: no user name or password, and the value of every query or
 * fragment parameter whose name looks secret (`api_key`, `token`, `password`, `sig`…) replaced by
 * `***` (also `;jsessionid=` path parameters). Other parameters keep their exact spelling. Text
 * that is not a URL is cleaned and redacted by pattern.
 *
 * @example redactUrl('https://u:p@crm.example/x?token=abc&q=1') === 'https://crm.example/x?token=***&q=1'
 */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return redactParams(cleanValue(url, 2048).replace(/\/\/[^/?#@]*@/, '//'));
  }
  parsed.username = '';
  parsed.password = '';
  const { href, search, hash } = parsed;
  const base = href.slice(0, href.length - search.length - hash.length);
  return redactParams(base, PATH_PARAM) + redactParams(search) + redactParams(hash);
}

/**
 * Free text (an error message, a server's reason) with every URL in it redacted as `redactUrl`
 * does, so a message that quotes an address never shows its credentials.
 *
 * @example redactText('https://crm.example/x?token=abc answered HTTP 500') === 'https://crm.example/x?token=*** answered HTTP 500'
 */
export function redactText(text: string): string {
  return text.replace(URL_IN_TEXT, (url) => redactUrl(url));
}

const URL_IN_TEXT = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+/gi;

/** Whether a parameter name looks like it carries a secret. */
export function isSecretName(name: string): boolean {
  const lower = name.toLowerCase();
  if (SECRET_ANYWHERE.test(lower)) return true;
  // camelCase and snake_case words: `apiKey`, `x-auth`, `client_sig`, `sessionId`
  const words = name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase().split(/[^a-z0-9]+/);
  return words.some((word) => SECRET_WORDS.has(word));
}

const SECRET_ANYWHERE = /token|secret|passw|apikey|credential|signature|bearer|private|session/;
const SECRET_WORDS = new Set(['key', 'pass', 'pwd', 'pin', 'auth', 'authorization', 'sig', 'session', 'sid', 'jwt', 'otp', 'hmac']);

// A query or fragment value runs to the next `&`, `;` or `#`, even past `/` or `?`, so that no part
// of a secret shows; a path parameter (`;jsessionid=…`) ends at the next `/`, `;` or `?` too.
const QUERY_PARAM = /([?#&;])([^=&#;?]*)=([^&#;]*)/g;
const PATH_PARAM = /(;)([^=/;?#]*)=([^/;?#]*)/g;

/** Redacts the values of secret-looking `name=value` pairs. */
function redactParams(text: string, pattern = QUERY_PARAM): string {
  return text.replace(pattern, (whole, lead: string, name: string) =>
    isSecretName(decodeName(name)) ? `${lead}${name}=***` : whole,
  );
}

function decodeName(name: string): string {
  try {
    return decodeURIComponent(name.replace(/\+/g, ' '));
  } catch {
    return name;
  }
}
