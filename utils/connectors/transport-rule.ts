import type { Result } from '../result';

/**
 * Whether a host name is this computer: `localhost` (and `*.localhost`, RFC 6761), 127.0.0.0/8,
 * `::1`. Traffic to it never crosses a network.
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
  return host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/**
 * The transport rule for the PBX connection: the ARI key (`api_key=` in every URL, the only way a
 * browser WebSocket can carry it) and the stream token must not cross a network unencrypted. So
 * `ws:` and `http:` are refused unless the PBX is this computer or an administrator allowed it by
 * policy (`security.allowPlainPbx`).
 *
 * @example checkTransport('ws://10.0.0.5:8088/ari', false).ok === false
 */
export function checkTransport(url: string, allowPlain: boolean): Result<void> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { ok: false, error: 'The PBX address is not a valid URL.' };
  }
  if (!['ws:', 'wss:', 'http:', 'https:'].includes(parsed.protocol)) {
    return { ok: false, error: `The PBX address must start with wss:// or https:// (not ${parsed.protocol}).` };
  }
  const plain = parsed.protocol === 'ws:' || parsed.protocol === 'http:';
  if (!plain || allowPlain || isLoopbackHost(parsed.hostname)) return { ok: true, value: undefined };
  const secure = parsed.protocol === 'ws:' ? 'wss:' : 'https:';
  return {
    ok: false,
    error:
      `Not connecting to ${parsed.host} over ${parsed.protocol.slice(0, -1)}: without encryption the PBX password or token ` +
      `in the address can be read by anyone on the network. Use ${secure}//, or ask your administrator to allow ` +
      'unencrypted connections by policy (security.allowPlainPbx).',
  };
}
