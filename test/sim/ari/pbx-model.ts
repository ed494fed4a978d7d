import type { ScenarioCall, ScenarioStep } from '../scenario';
import { createFrameBuilder, formatAriTimestamp, type AriFrame, type SimBridge, type SimChannel } from './frame-builders';

/**
 * A small model of the lab Asterisk in shared/ari/README.md (phones PJSIP/100 "Alice Agent" and
 * PJSIP/101 "Bob Agent", trunk PJSIP/pstn, queue `support` on 601, ring group 600, IVR 700) that
 * turns scenario steps into the frames a real Asterisk 22 sends, in the order the recorded traces
 * show: dialplan frames, ChannelVarset noise around Dial and bridges, Dial status progression,
 * Local channel pairs for queue members, a bridge for every answered call, the non-soft
 * ChannelHangupRequest on whoever hung up and the soft one on the dialling leg.
 */
export interface PbxOptions {
  /** Names of the PBX's phones by extension, e.g. { '100': 'Alice Agent' }. */
  phoneNames?: Record<string, string>;
  /** Dialplan extension of each queue / group name (`support` → `601`); unknown names are their own extension. */
  extensions?: Record<string, string>;
  trunk?: string;
  asteriskId?: string;
  /** First uniqueid sequence number (Asterisk counts from 0 at start-up). */
  firstSeq?: number;
}

interface Leg {
  peer: SimChannel;
  /** The channel running Dial() for this leg: the origin, or a queue member's Local `;2`. */
  dialler: SimChannel;
  /** Queue members are reached through Local/<ext>@from-queue `;1` (dialled by the origin) and `;2`. */
  local?: [SimChannel, SimChannel];
  endpoint: string;
}

export interface SimCall {
  spec: ScenarioCall;
  kind: 'inbound' | 'outbound' | 'internal';
  origin?: SimChannel;
  /** The channel the far end is (outbound), or who answered (inbound/internal). */
  answered?: Leg;
  ringing: Leg[];
  app?: { type: string; name: string };
  dialStarted: boolean;
  bridges: SimBridge[];
  /** Originate (click-to-call): the PBX rang the caller's own phone first. */
  originated: boolean;
  /** A consultation call (before an attended transfer) made by one of our phones in this call. */
  consult?: SimCall;
  ended: boolean;
}

const DEFAULT_NAMES: Record<string, string> = { '100': 'Alice Agent', '101': 'Bob Agent', '102': 'Carl Agent' };
const DEFAULT_EXTENSIONS: Record<string, string> = { support: '601', sales: '600', main: '700' };
const DIAL_VARS = ['DIALSTATUS', 'DIALEDPEERNUMBER', 'DIALEDPEERNAME', 'ANSWEREDTIME', 'ANSWEREDTIME_MS', 'DIALEDTIME', 'DIALEDTIME_MS', 'RINGTIME', 'RINGTIME_MS', 'PROGRESSTIME', 'PROGRESSTIME_MS'];
const RTP_VARS = ['RTPAUDIOQOS', 'RTPAUDIOQOSJITTER', 'RTPAUDIOQOSLOSS', 'RTPAUDIOQOSRTT', 'RTPAUDIOQOSMES'];
const RTP_VALUE = 'ssrc=208767980;themssrc=0;lp=0;rxjitter=0.001250;rxcount=0;txjitter=0.000000;txcount=297;rlp=0;rtt=0.000000;rxmes=88.087887;txmes=0.000000';

const extOf = (endpoint: string) => endpoint.slice(endpoint.indexOf('/') + 1);
const asEndpoint = (target: string) => (target.includes('/') ? target : `PJSIP/${target}`);
const hex = (n: number, width: number) => n.toString(16).padStart(width, '0').slice(-width);

export function createPbxModel(o: PbxOptions = {}) {
  const names = { ...DEFAULT_NAMES, ...o.phoneNames };
  const extensions = { ...DEFAULT_EXTENSIONS, ...o.extensions };
  const trunk = o.trunk ?? 'PJSIP/pstn';
  const f = createFrameBuilder({ app: '', asteriskId: o.asteriskId ?? '02:fc:00:00:00:01' });
  const live = new Map<string, SimChannel>();
  const busyDevices = new Set<string>();
  let seq = o.firstSeq ?? 0;
  let bridgeSeq = 0;

  const uuid = (n: number) => `${hex(n * 2654435761, 8)}-${hex(n, 4)}-4${hex(n * 7, 3)}-8${hex(n * 13, 3)}-${hex(n * 977, 12)}`;

  function channel(at: number, name: string, state: string, caller: SimChannel['caller'], dialplan: { context: string; exten: string }, id?: string): SimChannel {
    const n = seq++;
    const c: SimChannel = {
      id: id ?? `${Math.floor(at / 1000)}.${n}`,
      name: name.includes(';') ? name : `${name}-${hex(n, 8)}`,
      state, protocol_id: '', caller: { ...caller }, connected: { name: '', number: '' }, accountcode: '',
      dialplan: { ...dialplan, priority: 1, app_name: '', app_data: '' },
      creationtime: formatAriTimestamp(at), language: 'en',
    };
    live.set(c.id, c);
    return c;
  }

  function phoneChannel(at: number, endpoint: string, state: string, context = 'internal', exten = 's', id?: string) {
    const ext = extOf(endpoint);
    return channel(at, endpoint, state, { name: names[ext] ?? `Extension ${ext}`, number: ext }, { context, exten }, id);
  }

  function run(out: AriFrame[], at: number, c: SimChannel, app: string, data: string, where?: { context?: string; exten?: string }) {
    if (where?.context !== undefined && where.context !== c.dialplan.context) c.dialplan.priority = 0;
    if (where?.context !== undefined) c.dialplan.context = where.context;
    if (where?.exten !== undefined) c.dialplan.exten = where.exten;
    c.dialplan.priority += 1;
    c.dialplan.app_name = app;
    c.dialplan.app_data = data;
    if (!c.protocol_id) c.protocol_id = c.name.startsWith(trunk) ? hex(seq * 40503 + 7, 16) : uuid(seq + 11);
    out.push(f.dialplan(at, c));
  }

  function device(out: AriFrame[], at: number, endpoint: string, state: string) {
    if (endpoint.startsWith('Local/')) return;
    if (state === 'INUSE' && busyDevices.has(endpoint)) return;
    if (state === 'NOT_INUSE') busyDevices.delete(endpoint);
    if (state === 'INUSE') busyDevices.add(endpoint);
    out.push(f.deviceState(at, endpoint, state));
  }

  function setState(out: AriFrame[], at: number, c: SimChannel, state: string) {
    if (c.state === state) return;
    c.state = state;
    out.push(f.channelEvent('ChannelStateChange', at, c));
  }

  function destroy(out: AriFrame[], at: number, c: SimChannel, cause: number, request: 'hard' | 'soft' | 'none' = 'hard') {
    if (!live.has(c.id)) return;
    if (request !== 'none') out.push(f.hangupRequest(at, c, cause, request === 'soft'));
    live.delete(c.id);
    c.dialplan.app_name = '';
    c.dialplan.app_data = '';
    out.push(f.destroyed(at, c, cause));
  }

  /** Dial() starting on a channel: the dialplan frame, then Asterisk clears the Dial result variables. */
  function startDial(out: AriFrame[], at: number, call: SimCall, dialler: SimChannel, data: string) {
    run(out, at, dialler, 'Dial', data);
    for (const v of DIAL_VARS) out.push(f.varset(at, dialler, v, ''));
    if (dialler === call.origin) call.dialStarted = true;
  }

  /** One outgoing leg of a Dial(): created, connected-line exchange, first Dial event, ringing. */
  function dialLeg(out: AriFrame[], at: number, dialler: SimChannel, peer: SimChannel, dialstring: string, first: boolean) {
    out.push(f.varset(at, peer, 'DIALEDPEERNUMBER', dialstring));
    peer.connected = { ...dialler.caller };
    run(out, at, peer, 'AppDial', '(Outgoing Line)', { exten: dialstring.split('@')[0] });
    if (peer.name.startsWith(trunk)) out.push(f.callerId(at, peer));
    out.push(f.channelEvent('ChannelConnectedLine', at, peer));
    out.push(f.dial(at, dialler, peer, '', first ? dialstring : ''));
    if (!dialler.connected.number) {
      dialler.connected = { ...peer.caller };
      out.push(f.channelEvent('ChannelConnectedLine', at, dialler));
    }
    out.push(f.varset(at, dialler, 'RINGTIME', '0'), f.varset(at, dialler, 'RINGTIME_MS', '5'));
    out.push(f.dial(at, dialler, peer, 'RINGING', ''));
    setState(out, at, peer, 'Ringing');
    device(out, at, endpointOfName(dialler.name), 'INUSE');
    device(out, at, endpointOfName(peer.name), 'RINGING');
  }

  /** A Goto made on the inbound leg right after `Goto(did-map,…)` runs in `did-map`. */
  function fromDidMap(c: SimChannel) {
    return c.dialplan.context === 'from-pstn' ? { context: 'did-map' } : undefined;
  }

  function endpointOfName(name: string) {
    return name.replace(/-[0-9a-f]{8}$/, '');
  }

  function bridgeUp(out: AriFrame[], at: number, call: SimCall, a: SimChannel, b: SimChannel): SimBridge {
    const n = ++bridgeSeq;
    const bridge: SimBridge = {
      id: uuid(1000 + n), technology: 'simple_bridge', bridge_type: 'mixing', bridge_class: 'basic', creator: '', name: '',
      channels: [], creationtime: formatAriTimestamp(at), video_mode: 'none',
    };
    call.bridges.push(bridge);
    out.push(f.bridgeEvent('BridgeCreated', at, bridge));
    for (const c of [a, b]) {
      bridge.channels.push(c.id);
      out.push(f.bridgeEvent('ChannelEnteredBridge', at, bridge, c));
    }
    for (let i = 0; i < 3; i++) {
      out.push(f.varset(at, a, 'BRIDGEPEER', b.name), f.varset(at, a, 'BRIDGEPVTCALLID', b.protocol_id));
      out.push(f.varset(at, b, 'BRIDGEPEER', a.name), f.varset(at, b, 'BRIDGEPVTCALLID', a.protocol_id));
    }
    bridge.technology = 'native_rtp';
    return bridge;
  }

  function leaveBridge(out: AriFrame[], at: number, call: SimCall, c: SimChannel) {
    for (const b of call.bridges) {
      if (!b.channels.includes(c.id)) continue;
      b.channels = b.channels.filter((x) => x !== c.id);
      out.push(f.bridgeEvent('ChannelLeftBridge', at, b, c));
      if (b.channels.length === 0) out.push(f.bridgeEvent('BridgeDestroyed', at, b));
    }
    call.bridges = call.bridges.filter((b) => b.channels.length > 0);
  }

  function offer(call: SimCall, at: number): AriFrame[] {
    const out: AriFrame[] = [];
    const { spec } = call;
    if ('endpoint' in spec.from) {
      const ring = spec.steps.find((s) => s.do === 'ring');
      call.originated = ring?.do === 'ring' && ring.endpoints.includes(spec.from.endpoint);
      if (call.originated) return out; // the PBX creates the phone's channel when it rings it
      const c = phoneChannel(at, spec.from.endpoint, 'Ring', 'internal', spec.to.number);
      if (spec.from.name) c.caller.name = spec.from.name;
      if (spec.from.number) c.caller.number = spec.from.number;
      c.accountcode = spec.accountcode;
      call.origin = c;
      out.push(f.channelEvent('ChannelCreated', at, c), f.varset(at, c, 'SIPDOMAIN', '127.0.0.1'));
      run(out, at, c, 'NoOp', `${call.kind === 'outbound' ? 'Outbound' : 'Internal'} call from ${extOf(spec.from.endpoint)} to ${spec.to.number}`);
      return out;
    }
    const c = channel(at, trunk, 'Ring', { name: spec.from.name, number: spec.from.number }, { context: 'from-pstn', exten: spec.to.number });
    c.accountcode = spec.accountcode;
    call.origin = c;
    out.push(f.channelEvent('ChannelCreated', at, c), f.varset(at, c, 'SIPDOMAIN', '127.0.0.1'));
    run(out, at, c, 'NoOp', `Inbound DID ${spec.to.number} from "${spec.from.name}" <${spec.from.number}>`);
    run(out, at, c, 'Goto', `did-map,${spec.to.number},1`);
    return out;
  }

  function application(call: SimCall, at: number, type: string, name: string): AriFrame[] {
    const out: AriFrame[] = [];
    const c = call.origin;
    if (!c) return out;
    const exten = extensions[name] ?? name;
    call.app = { type, name };
    if (type === 'queue') {
      run(out, at, c, 'Goto', `ext-queues,${exten},1`, fromDidMap(c));
      run(out, at, c, 'Answer', '', { context: 'ext-queues', exten });
      setState(out, at, c, 'Up');
      run(out, at, c, 'Queue', `${name},t,,,300`);
    } else if (type === 'ivr') {
      run(out, at, c, 'Goto', `ivr-${name},s,1`, fromDidMap(c));
      run(out, at, c, 'Answer', '', { context: `ivr-${name}`, exten: 's' });
      setState(out, at, c, 'Up');
      run(out, at, c, 'Background', `custom/${name}-welcome`);
      run(out, at, c, 'WaitExten', '5');
    } else if (type === 'group') {
      run(out, at, c, 'Goto', `ext-group,${exten},1`, fromDidMap(c));
      run(out, at, c, 'NoOp', `Ring group ${name}`, { context: 'ext-group', exten });
    } else {
      run(out, at, c, 'NoOp', `${type} ${name}`, { context: `${type.replace('_', '-')}-${name}` });
    }
    return out;
  }

  function ring(call: SimCall, at: number, endpoints: string[]): AriFrame[] {
    const out: AriFrame[] = [];
    const { spec } = call;
    if (call.originated && !call.origin && 'endpoint' in spec.from) {
      // Click-to-call: ARI/AMI originate rings the user's phone, showing the number it will dial.
      // Until it answers, the channel runs AppDial2 (what Asterisk shows for an Originate's first leg).
      const c = phoneChannel(at, spec.from.endpoint, 'Down', spec.context ?? 'internal', 's', spec.channelId);
      c.caller = { name: spec.to.name, number: spec.to.number };
      c.connected = { name: spec.to.name, number: spec.to.number };
      c.accountcode = spec.accountcode;
      call.origin = c;
      out.push(f.channelEvent('ChannelCreated', at, c));
      // Asterisk's dial API (AMI/ARI Originate) runs the first leg as `AppDial2` while it rings.
      run(out, at, c, 'AppDial2', '(Outgoing Line)');
      out.push(f.channelEvent('ChannelConnectedLine', at, c));
      setState(out, at, c, 'Ringing');
      device(out, at, spec.from.endpoint, 'RINGING');
      return out;
    }
    const origin = call.origin;
    if (!origin) return out;
    if (endpoints.length === 0) {
      // The far end of an outbound call rings: Dial() through the trunk.
      if (call.ringing.length > 0 || call.answered) return out;
      if (call.originated && 'endpoint' in spec.from) {
        // Answered, the originated channel runs the dialplan at the number to call, as the user again.
        const ext = extOf(spec.from.endpoint);
        origin.caller = { name: names[ext] ?? '', number: ext };
        run(out, at, origin, 'Set', `CALLERID(all)="${origin.caller.name}" <${ext}>`, { context: spec.context ?? 'internal', exten: spec.to.number });
        out.push(f.callerId(at, origin));
      }
      startDial(out, at, call, origin, `${trunk.slice(0, trunk.indexOf('/'))}/${spec.to.number}@${extOf(trunk)},30`);
      const peer = channel(at, trunk, 'Down', { name: '', number: '' }, { context: 'from-pstn', exten: 's' });
      peer.caller = { name: spec.to.name, number: spec.to.number };
      call.ringing.push({ peer, dialler: origin, endpoint: trunk });
      out.push(f.channelEvent('ChannelCreated', at, peer));
      dialLeg(out, at, origin, peer, `${spec.to.number}@${extOf(trunk)}`, true);
      return out;
    }
    if (call.answered && !call.originated) return consult(call, at, endpoints);
    const fresh = endpoints.map(asEndpoint).filter((e) => !call.ringing.some((l) => l.endpoint === e) && call.answered?.endpoint !== e);
    if (fresh.length === 0) return out;
    if (call.app?.type === 'queue') {
      for (const e of fresh) queueMember(out, at, call, origin, e);
      return out;
    }
    if (!call.dialStarted) {
      const first = fresh[0] ?? '';
      if (call.app?.type === 'ivr') {
        // The caller pressed 1 in the IVR menu.
        out.push({ ...f.channelEvent('ChannelDtmfReceived', at, origin), digit: '1', duration_ms: 120 });
        run(out, at, origin, 'Goto', `internal,${extOf(first)},1`, { exten: '1' });
      }
      if (!call.app && call.kind === 'inbound') run(out, at, origin, 'Goto', `internal,${extOf(first)},1`, fromDidMap(origin));
      if (call.kind === 'inbound' && call.app?.type !== 'group') {
        run(out, at, origin, 'NoOp', `Call for extension ${extOf(first)} from "${origin.caller.name}" <${origin.caller.number}>`, { context: 'internal', exten: extOf(first) });
      }
      const timeout = call.app?.type === 'group' ? 20 : 15;
      startDial(out, at, call, origin, `${fresh.join('&')},${timeout}`);
    }
    fresh.forEach((e, i) => {
      const peer = phoneChannel(at, e, 'Down');
      call.ringing.push({ peer, dialler: origin, endpoint: e });
      out.push(f.channelEvent('ChannelCreated', at, peer));
      dialLeg(out, at, origin, peer, extOf(e), i === 0);
    });
    return out;
  }

  function queueMember(out: AriFrame[], at: number, call: SimCall, origin: SimChannel, endpoint: string) {
    const ext = extOf(endpoint);
    const base = `Local/${ext}@from-queue-${hex(seq, 8)}`;
    const one = channel(at, `${base};1`, 'Down', { ...origin.caller }, { context: 'from-queue', exten: ext });
    const two = channel(at, `${base};2`, 'Ring', { ...origin.caller }, { context: 'from-queue', exten: ext });
    out.push(f.channelEvent('ChannelCreated', at, one), f.channelEvent('ChannelCreated', at, two));
    one.connected = { ...origin.caller };
    out.push(f.channelEvent('ChannelConnectedLine', at, one));
    out.push(f.dial(at, origin, one, '', `Local/${ext}@from-queue`));
    startDial(out, at, call, two, `PJSIP/${ext},,`);
    const peer = phoneChannel(at, endpoint, 'Down');
    out.push(f.channelEvent('ChannelCreated', at, peer));
    dialLeg(out, at, two, peer, ext, true);
    setState(out, at, one, 'Ringing');
    out.push(f.dial(at, origin, one, 'RINGING', ''));
    call.ringing.push({ peer, dialler: two, local: [one, two], endpoint });
  }

  function stopLeg(out: AriFrame[], at: number, call: SimCall, leg: Leg, cause: number) {
    const status = cause === 26 ? 'CANCEL' : cause === 17 || cause === 21 ? 'BUSY' : cause === 19 || cause === 0 ? 'NOANSWER' : 'CANCEL';
    out.push(f.dial(at, leg.dialler, leg.peer, status, ''));
    // A Dial timeout hangs up with no cause in the request (seen on the real PBX).
    destroy(out, at, leg.peer, cause, cause === 0 ? 'none' : 'hard');
    device(out, at, leg.endpoint, 'NOT_INUSE');
    if (leg.local) {
      out.push(f.dial(at, call.origin, leg.local[0], status, ''));
      destroy(out, at, leg.local[1], cause, 'soft');
      destroy(out, at, leg.local[0], cause, 'soft');
    }
    call.ringing = call.ringing.filter((l) => l !== leg);
    if (call.ringing.length === 0 && call.origin && call.dialStarted && !leg.local) out.push(f.varset(at, call.origin, 'DIALSTATUS', status));
  }

  function answer(call: SimCall, at: number, endpoint: string): AriFrame[] {
    const out: AriFrame[] = [];
    const origin = call.origin;
    if (!origin) return out;
    if (call.originated && endpoint === ('endpoint' in call.spec.from ? call.spec.from.endpoint : '') && origin.state !== 'Up') {
      setState(out, at, origin, 'Up');
      device(out, at, endpoint, 'INUSE');
      return out;
    }
    if (call.consult?.ringing.some((l) => l.endpoint === asEndpoint(endpoint))) return answer(call.consult, at, endpoint);
    const leg = endpoint === '' ? call.ringing.find((l) => l.endpoint === trunk) : call.ringing.find((l) => l.endpoint === asEndpoint(endpoint));
    if (!leg) return out;
    setState(out, at, leg.peer, 'Up');
    device(out, at, leg.endpoint, 'INUSE');
    out.push(f.varset(at, leg.dialler, 'DIALSTATUS', 'ANSWER'), f.varset(at, leg.dialler, 'DIALEDPEERNAME', leg.peer.name));
    out.push(f.varset(at, leg.dialler, 'DIALEDPEERNUMBER', leg.peer.dialplan.exten));
    leg.peer.dialplan.exten = '';
    out.push(f.dial(at, leg.dialler, leg.peer, 'ANSWER', ''));
    for (const other of [...call.ringing]) if (other !== leg) stopLeg(out, at, call, other, 26);
    call.ringing = [];
    call.answered = leg;
    setState(out, at, leg.dialler, 'Up');
    if (leg.local) {
      setState(out, at, leg.local[0], 'Up');
      out.push(f.dial(at, origin, leg.local[0], 'ANSWER', ''));
      setState(out, at, origin, 'Up');
      bridgeUp(out, at, call, leg.local[1], leg.peer);
      bridgeUp(out, at, call, origin, leg.local[0]);
    } else {
      const b = bridgeUp(out, at, call, leg.peer, origin);
      out.splice(out.findIndex((x) => x.type === 'BridgeCreated' && (x.bridge as SimBridge).id === b.id) + 1, 0, f.dialplan(at, leg.peer));
    }
    return out;
  }

  /** Everything still up in this call, the hanging-up party first. */
  function hangup(call: SimCall, at: number, by: 'caller' | 'callee', cause: number): AriFrame[] {
    const out: AriFrame[] = [];
    const origin = call.origin;
    if (!origin || call.ended) return out;
    if (call.consult) out.push(...hangup(call.consult, at, 'caller', cause));
    call.ended = true;
    const leg = call.answered;
    if (leg && live.has(leg.peer.id)) {
      const far = leg.local ? leg.local[0] : leg.peer;
      const [first, second] = by === 'caller' ? [origin, far] : [leg.peer, origin];
      out.push(f.hangupRequest(at, first, cause, false));
      for (const c of [origin, leg.peer]) out.push(f.varset(at, c, 'BRIDGEPEER', ''), f.varset(at, c, 'BRIDGEPVTCALLID', ''));
      leaveBridge(out, at, call, first);
      out.push(f.varset(at, leg.dialler, 'ANSWEREDTIME', '6'), f.varset(at, leg.dialler, 'ANSWEREDTIME_MS', '6006'));
      out.push(f.varset(at, leg.dialler, 'DIALEDTIME', '11'), f.varset(at, leg.dialler, 'DIALEDTIME_MS', '11011'));
      out.push(f.varset(at, leg.dialler, 'DIALSTATUS', 'ANSWER'));
      out.push(f.hangupRequest(at, leg.dialler, cause, true));
      for (const c of [second, leg.peer, ...(leg.local ?? []), origin]) leaveBridge(out, at, call, c);
      // The RTP statistics of the surviving leg arrive between the two ChannelDestroyed frames.
      [...new Set([first, second, ...(leg.local ?? []), leg.peer, origin])].forEach((c, i) => {
        if (!live.has(c.id)) return;
        if (i > 0) for (const v of RTP_VARS) out.push(f.varset(at, c, v, RTP_VALUE));
        destroy(out, at, c, cause, 'none');
      });
    } else {
      out.push(f.hangupRequest(at, origin, cause, false));
      for (const l of [...call.ringing]) stopLeg(out, at, call, l, cause);
      destroy(out, at, origin, cause, 'none');
    }
    for (const e of new Set([endpointOfName(origin.name), ...(leg ? [leg.endpoint] : [])])) device(out, at, e, 'NOT_INUSE');
    return out;
  }

  function transfer(call: SimCall, at: number, kind: 'blind' | 'attended', from: string, to: string): AriFrame[] {
    const out: AriFrame[] = [];
    const origin = call.origin;
    const leg = call.answered;
    const bridge = call.bridges[call.bridges.length - 1];
    if (!origin || !leg || !bridge) return out;
    const fromEndpoint = asEndpoint(from);
    const target = asEndpoint(to);
    // The transferer is whichever side of the bridge is `from`; the transferee the other side.
    const transferer = leg.endpoint === fromEndpoint ? leg.peer : origin;
    const transferee = transferer === origin ? (leg.local ? leg.local[0] : leg.peer) : origin;
    if (kind === 'blind') {
      out.push(f.blindTransfer(at, transferer, transferee, extOf(target), bridge));
      out.push(f.hangupRequest(at, transferer, 16, false));
      leaveBridge(out, at, call, transferer);
      leaveBridge(out, at, call, transferee);
      destroy(out, at, transferer, 16, 'none');
      device(out, at, fromEndpoint, 'NOT_INUSE');
      rebase(call, transferee);
      run(out, at, transferee, 'Dial', `${target},15`, { context: 'internal', exten: extOf(target) });
      for (const v of DIAL_VARS) out.push(f.varset(at, transferee, v, ''));
      call.dialStarted = true;
      const peer = phoneChannel(at, target, 'Down');
      call.ringing.push({ peer, dialler: transferee, endpoint: target });
      out.push(f.channelEvent('ChannelCreated', at, peer));
      dialLeg(out, at, transferee, peer, extOf(target), true);
      return out;
    }
    // Attended: the consultation (started by an earlier `ring`, or here and now) is joined to the call.
    const compressed = !call.consult;
    if (compressed) {
      out.push(...consult(call, at, [target]));
      out.push(...answer(call, at + 1, target));
    }
    const c = call.consult;
    const bridge2 = c?.bridges[0];
    const second = c?.origin;
    const target2 = c?.answered?.peer;
    if (!c || !bridge2 || !second || !target2) return out;
    const t = compressed ? at + 2 : at;
    out.push(f.attendedTransfer(t, { first: transferer, second, transferee, target: target2, bridge1: bridge, bridge2 }));
    out.push(f.channelEvent('ChannelUnhold', t, transferee));
    for (const x of [transferer, second]) {
      out.push(f.hangupRequest(t, x, 16, false));
      leaveBridge(out, t, call, x);
      leaveBridge(out, t, c, x);
    }
    leaveBridge(out, t, call, transferee);
    bridge2.channels.push(transferee.id);
    out.push(f.bridgeEvent('ChannelEnteredBridge', t, bridge2, transferee));
    destroy(out, t, transferer, 16, 'none');
    destroy(out, t, second, 16, 'none');
    // A queue member's Local pair has nobody left on its far side: both halves go with the transferer.
    if (leg.local) {
      for (const half of leg.local) leaveBridge(out, t, call, half);
      destroy(out, t, leg.local[1], 16, 'soft');
      destroy(out, t, leg.local[0], 16, 'soft');
    }
    target2.connected = { ...transferee.caller };
    out.push(f.channelEvent('ChannelConnectedLine', t, target2));
    transferee.connected = { ...target2.caller };
    out.push(f.channelEvent('ChannelConnectedLine', t, transferee));
    rebase(call, transferee);
    call.answered = { peer: target2, dialler: transferee, endpoint: c.answered?.endpoint ?? '' };
    call.bridges = c.bridges;
    call.consult = undefined;
    return out;
  }

  /**
   * A phone of ours that is in the call rings another phone while the call waits (on hold): its
   * consultation before an attended transfer, on a second channel of the consulting phone.
   */
  function consult(call: SimCall, at: number, endpoints: string[]): AriFrame[] {
    const out: AriFrame[] = [];
    const leg = call.answered;
    const origin = call.origin;
    if (!leg || !origin || call.consult) return out;
    const byAnswerer = leg.endpoint !== trunk;
    const phone = byAnswerer ? leg.endpoint : endpointOfName(origin.name);
    const held = byAnswerer ? origin : leg.local ? leg.local[0] : leg.peer;
    const target = asEndpoint(endpoints[0] ?? '');
    const second = phoneChannel(at, phone, 'Ring', 'internal', extOf(target));
    out.push(f.channelEvent('ChannelHold', at, held));
    out.push(f.channelEvent('ChannelCreated', at, second), f.varset(at, second, 'SIPDOMAIN', '127.0.0.1'));
    run(out, at, second, 'NoOp', `Internal call from ${extOf(phone)} to ${extOf(target)}`);
    const sub: SimCall = { ...call, origin: second, ringing: [], answered: undefined, bridges: [], dialStarted: false, app: undefined, kind: 'internal', consult: undefined };
    startDial(out, at, sub, second, `${target},15`);
    const peer = phoneChannel(at, target, 'Down');
    out.push(f.channelEvent('ChannelCreated', at, peer));
    dialLeg(out, at, second, peer, extOf(target), true);
    sub.ringing.push({ peer, dialler: second, endpoint: target });
    call.consult = sub;
    return out;
  }

  /** After a transfer the remaining party carries the call on: it becomes the call's origin. */
  function rebase(call: SimCall, transferee: SimChannel) {
    call.origin = transferee;
    call.answered = undefined;
    call.ringing = [];
    call.bridges = call.bridges.filter((b) => b.channels.length > 0);
  }

  return {
    /** Starts tracking a scenario call (no frames until its first step). */
    open(spec: ScenarioCall): SimCall {
      const internal = 'endpoint' in spec.from && spec.steps.some((s) => s.do === 'ring' && s.endpoints.length > 0 && !s.endpoints.includes((spec.from as { endpoint: string }).endpoint));
      const kind = 'endpoint' in spec.from ? (internal ? 'internal' : 'outbound') : 'inbound';
      // Originate: the first phone rung is the caller's own (with or without an `offer` step before).
      const firstRing = spec.steps.find((s) => s.do === 'ring');
      const originated = 'endpoint' in spec.from && firstRing?.do === 'ring' && firstRing.endpoints.includes(spec.from.endpoint);
      return { spec, kind, ringing: [], dialStarted: false, bridges: [], originated, ended: false };
    },
    step(call: SimCall, s: ScenarioStep, at: number): AriFrame[] {
      switch (s.do) {
        case 'offer': return offer(call, at);
        case 'application': return application(call, at, s.type, s.name);
        case 'ring': return ring(call, at, s.endpoints);
        case 'answer': return answer(call, at, s.endpoint);
        case 'stop-ringing': {
          const out: AriFrame[] = [];
          for (const e of s.endpoints.map(asEndpoint)) {
            const leg = call.ringing.find((l) => l.endpoint === e);
            if (leg) stopLeg(out, at, call, leg, s.cause);
          }
          return out;
        }
        case 'transfer': return transfer(call, at, s.kind, s.from, s.to);
        case 'hangup': return hangup(call, at, s.by, s.cause);
      }
    },
    /** Channels alive now, as GET /ari/channels returns them. */
    channels: (): SimChannel[] => [...live.values()].map((c) => ({ ...c, caller: { ...c.caller }, connected: { ...c.connected }, dialplan: { ...c.dialplan } })),
    channel: (id: string): SimChannel | undefined => live.get(id),
    /** Endpoints with a live channel: ARI's `channel_ids` of an endpoint. */
    channelIdsOf: (endpoint: string): string[] => [...live.values()].filter((c) => endpointOfName(c.name) === endpoint).map((c) => c.id),
    /** The dialplan sends the call's first channel to Stasis(app, args…). */
    enterStasis(call: SimCall, at: number, app: string): { channel: SimChannel; frames: AriFrame[] } | undefined {
      const c = call.origin;
      if (!c) return undefined;
      const out: AriFrame[] = [];
      const args = [call.kind, call.kind === 'inbound' ? call.spec.to.number : c.dialplan.exten];
      run(out, at, c, 'Stasis', `${app},${args.join(',')}`);
      out.push(f.stasisStart(at, c, app, args));
      return { channel: c, frames: out };
    },
    /** `POST /channels/{id}/variable`: the dialplan functions our control uses change the snapshot. */
    setVariable(c: SimChannel, at: number, variable: string, value: string): AriFrame[] {
      const out: AriFrame[] = [];
      if (variable === 'CALLERID(name)') c.caller.name = value;
      else if (variable === 'CALLERID(num)') c.caller.number = value;
      else if (variable === 'CHANNEL(accountcode)' || variable === 'CDR(accountcode)') c.accountcode = value;
      out.push(f.varset(at, c, variable, value));
      if (variable.startsWith('CALLERID(')) out.push(f.callerId(at, c));
      return out;
    },
    leaveStasis(c: SimChannel, at: number, app: string, target?: { context: string; extension: string }): AriFrame[] {
      const out: AriFrame[] = [f.stasisEnd(at, c, app)];
      if (target) run(out, at, c, 'Goto', `${target.context},${target.extension},1`);
      return out;
    },
  };
}

export type PbxModel = ReturnType<typeof createPbxModel>;
