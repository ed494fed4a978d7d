import { describe, expect, it } from 'vitest';
import { isSecretName, redactText, redactUrl } from '../../../utils/templates/redact-url';

describe('redactUrl', () => {
  it.each([
    ['userinfo', 'https://user:pw@crm.example/x', 'https://crm.example/x'],
    ['secret query values', 'https://crm.example/x?token=abc&q=1&api_key=k&apiKey=k&password=p', 'https://crm.example/x?token=***&q=1&api_key=***&apiKey=***&password=***'],
    ['names by word', 'https://crm.example/?key=1&Sig=2&x-auth=3&client_secret=4&monkey=5&author=6', 'https://crm.example/?key=***&Sig=***&x-auth=***&client_secret=***&monkey=5&author=6'],
    ['other values keep their spelling', 'https://crm.example/?q=a+b%20c&n=%2B49', 'https://crm.example/?q=a+b%20c&n=%2B49'],
    ['percent-encoded name', 'https://crm.example/?%74oken=abc', 'https://crm.example/?%74oken=***'],
    ['a secret value runs to the next & even past / and ?', 'https://crm.example/?sig=a/b?c&x=1', 'https://crm.example/?sig=***&x=1'],
    ['fragment parameters (OAuth implicit flow)', 'https://crm.example/cb#access_token=t&state=s', 'https://crm.example/cb#access_token=***&state=s'],
    ['hash-routed query', 'https://crm.example/#/c?session=s', 'https://crm.example/#/c?session=***'],
    ['path parameters', 'https://crm.example/a;jsessionid=XYZ?x=1', 'https://crm.example/a;jsessionid=***?x=1'],
    ['nothing secret', 'https://crm.example/search?q=%2B4930', 'https://crm.example/search?q=%2B4930'],
    ['a template with variables', 'https://u:p@crm.example/?q=%%calleridnumber%%&token=%%accountcode%%', 'https://crm.example/?q=%%calleridnumber%%&token=***'],
  ])('%s', (_, url, redacted) => {
    expect(redactUrl(url)).toBe(redacted);
  });

  it('redacts text that is not a URL by pattern and strips control characters', () => {
    expect(redactUrl('crm //bob:pw@host/x?password=1&x=2\r\n')).toBe('crm //host/x?password=***&x=2');
  });
});

describe('isSecretName', () => {
  it.each(['token', 'access_token', 'API_KEY', 'apikey', 'privateKey', 'pwd', 'pin', 'hmac', 'X-Signature', 'credentials'])('%s is secret', (name) => {
    expect(isSecretName(name)).toBe(true);
  });
  it.each(['q', 'phone', 'calleridnumber', 'monkey', 'author', 'keyboard', 'design'])('%s is not', (name) => {
    expect(isSecretName(name)).toBe(false);
  });
});

describe('redactText', () => {
  it('redacts every URL inside a message and leaves the words alone', () => {
    expect(redactText('https://u:pw@crm.example/x?token=abc&q=1 answered HTTP 500; wss://pbx/ari/events?api_key=ctipop:s3cret could not be reached')).toBe(
      'https://crm.example/x?token=***&q=1 answered HTTP 500; wss://pbx/ari/events?api_key=*** could not be reached',
    );
    expect(redactText('no answer within 2000 ms')).toBe('no answer within 2000 ms');
  });
});
