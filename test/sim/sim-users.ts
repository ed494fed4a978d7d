/** The simulated PBX's own phones (names as in the lab of shared/ari/README.md). Scenarios name them by endpoint; everyone else is outside. */
export const SIM_USERS = [
  { endpoint: 'PJSIP/100', name: 'Alice Agent', number: '100' },
  { endpoint: 'PJSIP/101', name: 'Bob Agent', number: '101' },
  { endpoint: 'PJSIP/102', name: 'Carl Agent', number: '102' },
] as const;

export interface SimUser {
  endpoint: string;
  name: string;
  number: string;
}

/** `PJSIP/100` → `100`: the extension number Asterisk would show for an endpoint. */
export function endpointNumber(endpoint: string): string {
  const slash = endpoint.indexOf('/');
  return slash === -1 ? endpoint : endpoint.slice(slash + 1);
}

/** Name and number of one of our phones, also for endpoints not listed in SIM_USERS. */
export function simUser(endpoint: string): SimUser {
  const known = SIM_USERS.find((u) => u.endpoint === endpoint);
  return known ?? { endpoint, name: '', number: endpointNumber(endpoint) };
}
