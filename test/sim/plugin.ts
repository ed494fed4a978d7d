import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Scenario } from './scenario';

/**
 * A second PBX face mounted on the simulator's HTTP server (the ARI emulation in `ari/`). The
 * server offers every request and WebSocket upgrade to the plugin first; the plugin claims the
 * ones it serves (paths under `/ari/`) by returning true, and must then answer them itself.
 */
export interface SimPlugin {
  /** Return true when this request is yours (and you answered or will answer it). */
  handleRequest(req: IncomingMessage, res: ServerResponse): boolean;
  /** Return true when this upgrade is yours (you completed or destroyed the socket). */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  /**
   * Play the same scenario the JSON stream plays, started at the same moment. `speed` scales
   * time: step `at` ms happens after `at / speed` ms (speed 100 turns a 5 s ring into 50 ms).
   */
  play(scenario: Scenario, speed: number): void;
  /** Destroy every open socket abruptly (chaos tests: the PBX went away). */
  kill(): void;
  /** Refuse (false) or accept again (true) new event-stream connections, with the simulator's stop()/start(). */
  accept?(on: boolean): void;
  /** Release timers and sockets when the simulator shuts down. */
  close?(): Promise<void>;
}
