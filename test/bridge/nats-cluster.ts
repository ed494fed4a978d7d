import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** One nats-server of the test cluster. */
export interface NatsNode {
  name: string;
  port: number;
  url: string;
  running(): boolean;
  /** SIGKILL: the node dies mid-work, as in a crash. */
  kill(): Promise<void>;
  /** Starts the node again with the same store folder (it catches up from its peers). */
  restart(): Promise<void>;
}

export interface NatsCluster {
  nodes: NatsNode[];
  /** Client URLs of every node, for `servers`. */
  urls: string[];
  stop(): Promise<void>;
}

/** Where the OS hands out ports for `listen(0)` (Linux: ip_local_port_range). */
const EPHEMERAL_LOW = (() => {
  try {
    return Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) || 32768;
  } catch {
    return 32768;
  }
})();

/**
 * A free TCP port on 127.0.0.1 for nats-server, which binds it only when it starts, a while after
 * this probe. Not from the OS's ephemeral range: the e2e jobs run side by side, and their servers
 * and browsers take ports from that range all the time (one took a monitor port in that window).
 * Below it, only another cluster's probe could pick the same port, at random among 12,000.
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = EPHEMERAL_LOW - 1 - Math.floor(Math.random() * 12_000);
    const free = await new Promise<boolean>((resolve) => {
      const s = createServer();
      s.once('error', () => resolve(false));
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (free) return port;
  }
}

async function waitForPort(port: number, child: ChildProcess, log: () => string, timeoutMs = 15_000): Promise<void> {
  const start = Date.now();
  while (Date.now() - start < timeoutMs) {
    if (child.exitCode !== null) throw new Error(`nats-server exited with ${child.exitCode}: ${log().slice(-2000)}`);
    const ok = await new Promise<boolean>((resolve) => {
      const res = fetch(`http://127.0.0.1:${port}/healthz?js-enabled-only=true`).then((r) => r.ok, () => false);
      void res.then(resolve);
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nats-server did not come up on monitor port ${port}: ${log().slice(-2000)}`);
}

/**
 * Starts a three-node JetStream cluster of Debian's `nats-server` on 127.0.0.1: free ports, store
 * folders under a fresh temp folder, all removed by `stop()`.
 */
export async function startNatsCluster(size = 3): Promise<NatsCluster> {
  const root = mkdtempSync(join(tmpdir(), 'ctipop-nats-'));
  const ports = await Promise.all(Array.from({ length: size }, async () => ({ client: await freePort(), cluster: await freePort(), monitor: await freePort() })));
  const routes = ports.map((p) => `nats-route://127.0.0.1:${p.cluster}`);
  const nodes: (NatsNode & { child?: ChildProcess })[] = ports.map((p, i) => {
    const name = `n${i + 1}`;
    const conf = join(root, `${name}.conf`);
    writeFileSync(conf, [
      `server_name: ${name}`,
      `listen: 127.0.0.1:${p.client}`,
      `http: 127.0.0.1:${p.monitor}`,
      `jetstream { store_dir: "${join(root, name)}", max_memory_store: 256MB, max_file_store: 1GB }`,
      `cluster { name: ctipop-test, listen: 127.0.0.1:${p.cluster}, routes: [${routes.filter((_, j) => j !== i).join(', ')}] }`,
    ].join('\n'));
    let child: ChildProcess | undefined;
    let log = '';
    const node = {
      get child() { return child; },
      name,
      port: p.client,
      url: `nats://127.0.0.1:${p.client}`,
      running: () => child !== undefined && child.exitCode === null && child.signalCode === null,
      async restart() {
        log = '';
        child = spawn('nats-server', ['-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
        child.stdout!.on('data', (d) => (log += d));
        child.stderr!.on('data', (d) => (log += d));
        await waitForPort(p.monitor, child, () => log);
      },
      async kill() {
        const c = child;
        if (!c || c.exitCode !== null || c.signalCode !== null) return;
        await new Promise<void>((resolve) => {
          c.once('exit', () => resolve());
          c.kill('SIGKILL');
        });
      },
    };
    return node;
  });
  // A test process that dies (Ctrl-C, a timeout) must not leave servers behind.
  const reap = () => { for (const n of nodes) n.child?.kill('SIGKILL'); };
  process.once('exit', reap);
  try {
    await Promise.all(nodes.map((n) => n.restart()));
    await waitForMeta(ports.map((p) => p.monitor));
  } catch (error) {
    await Promise.all(nodes.map((n) => n.kill()));
    rmSync(root, { recursive: true, force: true });
    throw error;
  }
  return {
    nodes,
    urls: nodes.map((n) => n.url),
    async stop() {
      process.off('exit', reap);
      await Promise.all(nodes.map((n) => n.kill()));
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** Waits until the JetStream meta group has a leader (streams with replicas 3 can be created). */
async function waitForMeta(monitors: number[], timeoutMs = 20_000): Promise<void> {
  const start = Date.now();
  while (Date.now() - start < timeoutMs) {
    for (const m of monitors) {
      const info = await fetch(`http://127.0.0.1:${m}/jsz`).then((r) => r.json() as Promise<{ meta_cluster?: { leader?: string; replicas?: unknown[] } }>, () => undefined);
      if (info?.meta_cluster?.leader && (info.meta_cluster.replicas?.length ?? 0) >= monitors.length - 1) return;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('the JetStream cluster elected no meta leader');
}
