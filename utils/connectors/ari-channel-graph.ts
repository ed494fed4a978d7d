import type { AriChannel } from './ari-schemas';
import type { TrackedChannel } from './ari-snapshot';
import type { ChannelKind } from './ari-endpoints';

const REMEMBERED_IDS = 4000;
const MAX_CHAIN = 16;

export type ChannelGraph = ReturnType<typeof createChannelGraph>;

/**
 * Every channel of the PBX and how they are tied together, the same for every user: `Dial`
 * (caller → peer), Local halves (`;1` → `;2`) and bridges. ARI sends no linkedid; the root of a
 * channel (the call's first channel) stands in for it. Channels are forgotten when destroyed; their
 * ids are remembered a while so a late or repeated frame cannot bring them back.
 */
export function createChannelGraph(kindOf: (name: string) => ChannelKind) {
  let chans = new Map<string, TrackedChannel>();
  /** Local channel name → id, to pair `;1` and `;2` halves without scanning every channel. */
  const localIds = new Map<string, string>();
  let gone = new Set<string>();

  function upsert(c: AriChannel): TrackedChannel {
    let t = chans.get(c.id);
    if (!t) {
      const kind = kindOf(c.name);
      t = {
        id: c.id, name: c.name, kind: kind === 'user' ? 'phone' : kind, root: c.id,
        firstExten: c.dialplan.exten, firstContext: c.dialplan.context,
        exten: '', context: '', state: c.state, caller: { name: '', number: '' }, connected: { name: '', number: '' },
        accountcode: '', app: '', appData: '', placed: c.state === 'Ring', apps: [],
      };
      chans.set(c.id, t);
      if (t.kind === 'local') {
        localIds.set(c.name, c.id);
        if (c.name.endsWith(';2')) linkLocalHalf(t);
      }
    }
    // Asterisk blanks exten/app after a Dial is answered; keep the last meaningful one.
    if (c.dialplan.exten) t.exten = c.dialplan.exten;
    if (c.dialplan.context) t.context = c.dialplan.context;
    if (c.dialplan.app_name) {
      t.app = c.dialplan.app_name;
      t.appData = c.dialplan.app_data;
    }
    t.state = c.state;
    t.caller = { name: c.caller.name, number: c.caller.number };
    t.connected = { name: c.connected.name, number: c.connected.number };
    t.accountcode = c.accountcode;
    if (c.caller_rdnis) t.rdnis = c.caller_rdnis;
    return t;
  }

  /** `Local/x@ctx-0000000a;2` continues the call its `;1` half was dialled in. */
  function linkLocalHalf(two: TrackedChannel) {
    const one = chans.get(localIds.get(two.name.slice(0, -1) + '1') ?? '');
    if (!one) return;
    two.parent = one.id;
    two.root = rootOf(one);
  }

  function rootOf(c: TrackedChannel): string {
    let x = c;
    for (let i = 0; i < MAX_CHAIN && x.parent; i++) {
      const p = chans.get(x.parent);
      if (!p || p === c) return x.root;
      x = p;
    }
    return x.parent ? x.root : x.id;
  }

  /** The channels from this one up to the call's first channel. */
  function chainOf(c: TrackedChannel): TrackedChannel[] {
    const out = [c];
    let x = c;
    for (let i = 0; i < MAX_CHAIN && x.parent; i++) {
      const p = chans.get(x.parent);
      if (!p || out.includes(p)) break;
      out.push(p);
      x = p;
    }
    return out;
  }

  /** Ties `child` under `parent`; false when it already had a parent (the first tie wins) or it would make a loop. */
  function link(child: TrackedChannel, parent: TrackedChannel): boolean {
    if (child.parent || child === parent || rootOf(parent) === child.id) return false;
    child.parent = parent.id;
    child.root = rootOf(parent);
    if (child.kind === 'local' && child.name.endsWith(';1')) {
      const two = chans.get(localIds.get(child.name.slice(0, -1) + '2') ?? '');
      if (two && two.parent === child.id) two.root = child.root;
      else if (two && !two.parent) link(two, child);
    }
    return true;
  }

  function destroy(id: string): TrackedChannel | undefined {
    const c = chans.get(id);
    if (!c) return undefined;
    chans.delete(id);
    if (c.kind === 'local') localIds.delete(c.name);
    forget(id);
    return c;
  }

  /** The id is over for good (destroyed, or transferred away): frames naming it are ignored from now on. */
  function forget(id: string) {
    gone.add(id);
    if (gone.size > REMEMBERED_IDS) gone.delete(gone.values().next().value as string);
  }

  return {
    upsert, link, rootOf, chainOf, destroy, forget,
    get: (id: string) => chans.get(id),
    has: (id: string) => chans.has(id),
    isGone: (id: string) => gone.has(id),
    all: () => chans.values(),
    ids: () => [...chans.keys()],
    snapshot: () => ({ channels: [...chans.values()], gone: [...gone] }),
    restore(channels: TrackedChannel[], goneIds: string[]) {
      chans = new Map(channels.map((c) => [c.id, c]));
      localIds.clear();
      for (const c of chans.values()) if (c.kind === 'local') localIds.set(c.name, c.id);
      gone = new Set(goneIds);
    },
  };
}
