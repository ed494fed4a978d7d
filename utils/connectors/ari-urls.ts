/** `http(s)://pbx:8088` (or with a trailing `/` or `/ari`) → the base ending in `/ari`. */
function ariBase(base: string): URL {
  const url = new URL(base);
  const path = url.pathname.replace(/\/+$/, '');
  url.pathname = path.endsWith('/ari') ? path : `${path}/ari`;
  url.search = '';
  url.hash = '';
  return url;
}

/**
 * The event WebSocket URL. ARI takes the key as `api_key=user:password` in the query because a
 * browser WebSocket cannot send an Authorization header; `subscribeAll` makes ARI deliver every
 * channel, bridge and device of the PBX, which the translator needs to see other people's legs.
 * e.g. `ariEventsUrl('https://pbx:8089', 'ctipop-100', 'cti:secret')` → `wss://pbx:8089/ari/events?app=ctipop-100&subscribeAll=true&api_key=cti%3Asecret`
 */
export function ariEventsUrl(base: string, app: string, apiKey: string): string {
  const url = ariBase(base);
  url.protocol = url.protocol === 'https:' || url.protocol === 'wss:' ? 'wss:' : 'ws:';
  url.pathname += '/events';
  url.search = new URLSearchParams({ app, subscribeAll: 'true', api_key: apiKey }).toString();
  return url.toString();
}

/** `GET` this to list the current channels (after every reconnect). Send the key as HTTP Basic. */
export function ariChannelsUrl(base: string): string {
  const url = ariBase(base);
  url.protocol = url.protocol === 'wss:' ? 'https:' : url.protocol === 'ws:' ? 'http:' : url.protocol;
  url.pathname += '/channels';
  return url.toString();
}

/** The same URL with the `api_key` value and any `user:password@` replaced by `***`, for logs and the UI. */
export function redactAriUrl(url: string): string {
  return url.replace(/([?&]api_key=)[^&#]*/gi, '$1***').replace(/^([a-z][a-z0-9+.-]*:\/\/[^/@:]*):[^/@]*@/i, '$1:***@');
}
