import { existsSync } from 'node:fs';
import type { SimPlugin } from './plugin';
import { SIM_USERS } from './sim-users';

/**
 * The ARI emulation (test/sim/ari/emulator.ts, written separately) as a simulator plugin, or
 * undefined while that module is absent. Loaded by path so the simulator builds without it.
 */
export async function loadAriPlugin(): Promise<SimPlugin | undefined> {
  const file = new URL('./ari/emulator.ts', import.meta.url);
  if (!existsSync(file)) return undefined;
  const mod: unknown = await import(file.href);
  const create = typeof mod === 'object' && mod !== null && 'createAriEmulator' in mod ? mod.createAriEmulator : undefined;
  if (typeof create !== 'function') throw new Error(`${file.pathname} does not export createAriEmulator`);
  // The lab PBX lets any origin read its REST answers (ari.conf `allowed_origins = *`), so the
  // extension works here without the host permission a headless browser cannot be asked for.
  return create({ users: SIM_USERS.map((u) => ({ ...u })), allowedOrigins: ['*'] }) as SimPlugin;
}
