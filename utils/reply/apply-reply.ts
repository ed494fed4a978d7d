import { SET_FIELDS, type Reply } from './reply-schema';
import type { Variables } from '../templates/variables';

export interface AppliedReply {
  /** The call's variables with the reply's values in (`record` as `yes`/`no`). */
  variables: Variables;
  /** Only the variables whose value actually changed. */
  changes: Record<string, { from: string; to: string }>;
  /** What the reply asks the PBX to do; only a call-controlling connector can act on it. */
  actions: { set: Record<string, string>; route: Reply['route']; break: boolean };
}

/**
 * Applies a parsed reply to a call's variables (CTI.md §3: `set` first, then route). Pure. An empty
 * value means "unchanged" for every field, as CTI.md says for `record`: a reply cannot blank a value.
 *
 * @example applyReply({ accountcode: '' }, { set: { accountcode: 'ACME-1' }, route: null, break: false })
 *   .changes // { accountcode: { from: '', to: 'ACME-1' } }
 */
export function applyReply(variables: Variables, reply: Reply): AppliedReply {
  const next: Variables = { ...variables };
  const changes: AppliedReply['changes'] = {};
  const set: Record<string, string> = {};
  for (const field of SET_FIELDS) {
    const to = reply.set[field];
    if (!to) continue;
    set[field] = to;
    const from = variables[field] ?? '';
    if (from === to) continue;
    next[field] = to;
    changes[field] = { from, to };
  }
  return { variables: next, changes, actions: { set, route: reply.route, break: reply.break } };
}
