/** What a channel is, judged from its name: the user's own phone, another phone, a trunk, or a Local half. */
export type ChannelKind = 'user' | 'phone' | 'trunk' | 'local';

export interface EndpointOptions {
  /** The user's endpoints, e.g. `PJSIP/100`. */
  endpoints: string[];
  /** Endpoints that are trunks (to the outside world), e.g. `PJSIP/pstn`. */
  trunks?: string[];
  /** Endpoints that are the PBX's own phones even though their name is not all digits, e.g. `PJSIP/alice`. */
  phones?: string[];
}

/**
 * `PJSIP/100-0000002a` → `PJSIP/100`; `Local/601@ext-queues-00000005;2` → `Local/601@ext-queues`.
 * Asterisk appends `-` and a hex sequence number (and `;1`/`;2` for Local halves) to the endpoint.
 */
export function endpointOfChannel(name: string): string {
  const semi = name.lastIndexOf(';');
  const base = semi > 0 ? name.slice(0, semi) : name;
  const dash = base.lastIndexOf('-');
  return dash > base.indexOf('/') && /^[0-9a-f]+$/i.test(base.slice(dash + 1)) ? base.slice(0, dash) : base;
}

/** Technology lower-cased, resource as written: `pjsip/100`. Asterisk matches tech names case-insensitively only. */
export function endpointKey(endpoint: string): string {
  const slash = endpoint.indexOf('/');
  return slash < 0 ? endpoint : endpoint.slice(0, slash).toLowerCase() + endpoint.slice(slash);
}

/**
 * Classifies channels by name. The rule, in order: a configured user endpoint is `user`; a
 * `Local/` channel is `local`; a configured trunk is `trunk`; a configured phone is `phone`; else a
 * resource of digits only (`PJSIP/101`) is a `phone` (extensions are numbers on the reference PBX)
 * and anything else (`PJSIP/pstn`, `PJSIP/sipgate-out`) a `trunk`. Configure `phones`/`trunks` when
 * a PBX names its phones differently.
 */
export function createChannelClassifier(o: EndpointOptions) {
  const users = new Set(o.endpoints.map(endpointKey));
  const trunks = new Set((o.trunks ?? []).map(endpointKey));
  const phones = new Set((o.phones ?? []).map(endpointKey));
  const cache = new Map<string, ChannelKind>();

  function kindOfEndpoint(endpoint: string): ChannelKind {
    const key = endpointKey(endpoint);
    if (users.has(key)) return 'user';
    if (key.startsWith('local/')) return 'local';
    if (trunks.has(key)) return 'trunk';
    if (phones.has(key)) return 'phone';
    return /^[0-9]+$/.test(key.slice(key.indexOf('/') + 1)) ? 'phone' : 'trunk';
  }

  return {
    /** `PJSIP/100-0000002a` → `user` when PJSIP/100 is configured. Cached per endpoint. */
    kindOf(channelName: string): ChannelKind {
      const endpoint = endpointOfChannel(channelName);
      let kind = cache.get(endpoint);
      if (kind === undefined) {
        kind = kindOfEndpoint(endpoint);
        if (cache.size > 4096) cache.clear();
        cache.set(endpoint, kind);
      }
      return kind;
    },
    /** The configured endpoint string a user channel belongs to (as the user wrote it). */
    userEndpointOf(channelName: string): string {
      const key = endpointKey(endpointOfChannel(channelName));
      return o.endpoints.find((e) => endpointKey(e) === key) ?? endpointOfChannel(channelName);
    },
  };
}

/** Outside numbers: E.164 (`+…`) or longer than an internal extension (default: 7 digits or more). */
export function isOutsideNumber(number: string, maxInternalDigits = 6): boolean {
  if (number.startsWith('+')) return true;
  let digits = 0;
  for (let i = 0; i < number.length; i++) {
    const c = number.charCodeAt(i);
    if (c >= 48 && c <= 57) digits++;
  }
  return digits > maxInternalDigits;
}
