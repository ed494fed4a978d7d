/**
 * ARI frames shaped like Asterisk 22.10.1's (test/fixtures/ari/*.jsonl): same keys, same key order,
 * same timestamp and id formats. The PBX model decides what happens; these only dress it.
 */

export interface SimChannel {
  id: string;
  name: string;
  state: string;
  protocol_id: string;
  caller: { name: string; number: string };
  connected: { name: string; number: string };
  accountcode: string;
  dialplan: { context: string; exten: string; priority: number; app_name: string; app_data: string };
  creationtime: string;
  language: string;
}

export interface SimBridge {
  id: string;
  technology: string;
  bridge_type: string;
  bridge_class: string;
  creator: string;
  name: string;
  channels: string[];
  creationtime: string;
  video_mode: string;
}

export type AriFrame = { type: string } & Record<string, unknown>;

/** `2026-11-28T00:21:07.123+0000`: Asterisk's format (UTC, offset without a colon). */
export function formatAriTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

export const CAUSE_TEXT: Record<number, string> = {
  0: 'Unknown', 16: 'Normal Clearing', 17: 'User busy', 18: 'No user responding', 19: 'User alerting, no answer',
  21: 'Call Rejected', 26: 'Answered elsewhere', 127: 'Interworking, unspecified',
};

export function snapshotOf(c: SimChannel): SimChannel {
  return { ...c, caller: { ...c.caller }, connected: { ...c.connected }, dialplan: { ...c.dialplan } };
}

export function createFrameBuilder(o: { app: string; asteriskId: string }) {
  const tail = { asterisk_id: o.asteriskId, application: o.app };
  const ts = formatAriTimestamp;
  return {
    channelEvent: (type: string, at: number, c: SimChannel): AriFrame => ({ type, timestamp: ts(at), channel: snapshotOf(c), ...tail }),
    varset: (at: number, c: SimChannel, variable: string, value: string): AriFrame =>
      ({ variable, value, type: 'ChannelVarset', timestamp: ts(at), channel: snapshotOf(c), ...tail }),
    dialplan: (at: number, c: SimChannel): AriFrame =>
      ({ type: 'ChannelDialplan', timestamp: ts(at), dialplan_app: c.dialplan.app_name, dialplan_app_data: c.dialplan.app_data, channel: snapshotOf(c), ...tail }),
    callerId: (at: number, c: SimChannel): AriFrame =>
      ({ type: 'ChannelCallerId', timestamp: ts(at), caller_presentation: 0, caller_presentation_txt: 'Presentation Allowed, Not Screened', channel: snapshotOf(c), ...tail }),
    dial: (at: number, caller: SimChannel | undefined, peer: SimChannel, dialstatus: string, dialstring: string): AriFrame => ({
      type: 'Dial', timestamp: ts(at), dialstatus, forward: '', dialstring,
      ...(caller ? { caller: snapshotOf(caller) } : {}), peer: snapshotOf(peer), ...tail,
    }),
    deviceState: (at: number, name: string, state: string): AriFrame =>
      ({ type: 'DeviceStateChanged', application: o.app, timestamp: ts(at), device_state: { name, state }, asterisk_id: o.asteriskId }),
    bridgeEvent: (type: string, at: number, b: SimBridge, c?: SimChannel): AriFrame =>
      ({ type, timestamp: ts(at), bridge: { ...b, channels: [...b.channels] }, ...(c ? { channel: snapshotOf(c) } : {}), ...tail }),
    hangupRequest: (at: number, c: SimChannel, cause: number | undefined, soft: boolean): AriFrame => ({
      ...(cause === undefined ? {} : { cause }), ...(soft ? { soft: true } : {}), type: 'ChannelHangupRequest', timestamp: ts(at), channel: snapshotOf(c), ...tail,
    }),
    destroyed: (at: number, c: SimChannel, cause: number): AriFrame =>
      ({ type: 'ChannelDestroyed', timestamp: ts(at), cause, cause_txt: CAUSE_TEXT[cause] ?? 'Unknown', channel: snapshotOf(c), ...tail }),
    stasisStart: (at: number, c: SimChannel, app: string, args: string[]): AriFrame =>
      ({ type: 'StasisStart', timestamp: ts(at), args, channel: snapshotOf(c), asterisk_id: o.asteriskId, application: app }),
    stasisEnd: (at: number, c: SimChannel, app: string): AriFrame =>
      ({ type: 'StasisEnd', timestamp: ts(at), channel: snapshotOf(c), asterisk_id: o.asteriskId, application: app }),
    blindTransfer: (at: number, transferer: SimChannel, transferee: SimChannel, exten: string, b: SimBridge): AriFrame => ({
      type: 'BridgeBlindTransfer', timestamp: ts(at), channel: snapshotOf(transferer), transferee: snapshotOf(transferee),
      exten, context: 'internal', result: 'Success', is_external: false, bridge: { ...b, channels: [...b.channels] }, ...tail,
    }),
    attendedTransfer: (at: number, legs: { first: SimChannel; second: SimChannel; transferee: SimChannel; target: SimChannel; bridge1: SimBridge; bridge2: SimBridge }): AriFrame => ({
      type: 'BridgeAttendedTransfer', timestamp: ts(at),
      transferer_first_leg: snapshotOf(legs.first), transferer_second_leg: snapshotOf(legs.second),
      transferee: snapshotOf(legs.transferee), transfer_target: snapshotOf(legs.target), result: 'Success', is_external: false,
      transferer_first_leg_bridge: { ...legs.bridge1, channels: [...legs.bridge1.channels] },
      transferer_second_leg_bridge: { ...legs.bridge2, channels: [...legs.bridge2.channels] },
      destination_type: 'bridge', destination_bridge: legs.bridge2.id, ...tail,
    }),
    applicationReplaced: (at: number, app: string): AriFrame => ({ type: 'ApplicationReplaced', timestamp: ts(at), asterisk_id: o.asteriskId, application: app }),
  };
}

export type FrameBuilder = ReturnType<typeof createFrameBuilder>;
