import type { RouteType } from '../reply/reply-schema';

/**
 * The route allow-list CTI Pop starts with: what a FreePBX-style PBX's CRM replies usually need
 * (internal extensions of 2–5 digits, ring groups, queues, IVRs, conferences and voicemail by
 * number or short name), and nothing that reaches a trunk. `function`, `starcode`, `channel` and
 * `directory` have no rule, so they are refused until an admin adds one: a star code can change
 * forwarding, a channel or function can dial anything.
 */
export const DEFAULT_ROUTE_RULES: { type: RouteType; pattern: string; context: string; exten: string }[] = [
  { type: 'extension', pattern: '[0-9]{2,5}', context: 'from-internal', exten: '{name}' },
  { type: 'group', pattern: '[0-9]{2,5}', context: 'ext-group', exten: '{name}' },
  { type: 'queue', pattern: '[0-9]{2,5}|[A-Za-z][A-Za-z0-9_-]{0,31}', context: 'ext-queues', exten: '{name}' },
  { type: 'ivr', pattern: '[A-Za-z0-9][A-Za-z0-9_-]{0,31}', context: 'ivr-{name}', exten: 's' },
  { type: 'conf', pattern: '[0-9]{2,5}', context: 'ext-meetme', exten: '{name}' },
  { type: 'voicemail', pattern: '[0-9]{2,5}', context: 'ext-local', exten: 'vmu{name}' },
];
