import { PROTOCOL_VERSION, type ServerFrame } from '../../utils/connectors/json-protocol';
import type { EventHub } from './event-hub';
import type { ScenarioPlayer } from './scenario-player';
import { wantsUsers } from '../../bridge/protocol/stream-clients';

export interface OpeningContext {
  serverId: string;
  hub: EventHub;
  player: ScenarioPlayer;
  heartbeatMs: () => number;
}

/**
 * What a client gets right after it authenticated: `hello`, then either the frames it missed
 * (resume worked) or a `snapshot` of the active calls followed by their current state as events.
 * The resume token is the server id: a restarted simulator cannot resume anything.
 */
export function openingFrames(ctx: OpeningContext, users: string[], resume?: { token?: string; lastEventId: string }): ServerFrame[] {
  const tokenOk = resume !== undefined && (resume.token === undefined || resume.token === ctx.serverId);
  const replay = tokenOk ? ctx.hub.replay(resume.lastEventId, (f) => wantsUsers(users, f.users)) : undefined;
  const hello: ServerFrame = { type: 'hello', protocol: PROTOCOL_VERSION, serverId: ctx.serverId, resumeToken: ctx.serverId, resumed: replay !== undefined, heartbeatMs: ctx.heartbeatMs() };
  if (replay) return [hello, ...replay];
  const wants = (u: string) => wantsUsers(users, [u]);
  const calls = ctx.player.activeCalls().filter((c) => c.activeUsers().some(wants));
  return [
    hello,
    { type: 'snapshot', callIds: calls.map((c) => c.callId) },
    ...calls.flatMap((c) => c.stateFrames(wants).map((f) => ctx.hub.stamp(f))),
  ];
}
