import { loadSettings, subscribeSettings } from '@/utils/adapters/settings-storage';
import type { Settings } from '@/utils/settings/schema';

export interface WorkerSettings {
  current: Settings;
  onChange(fn: (next: Settings, previous: Settings) => void): void;
}

/**
 * The effective settings (user values under policy), kept current as either changes. The
 * subscription starts before the first read: on a fresh install Chromium takes seconds to answer
 * `storage.managed`, and settings written meanwhile must not be lost to a stale first read.
 */
export async function loadWorkerSettings(): Promise<WorkerSettings> {
  const listeners: ((next: Settings, previous: Settings) => void)[] = [];
  let changed = false;
  const holder: WorkerSettings = {
    current: undefined as unknown as Settings,
    onChange: (fn) => void listeners.push(fn),
  };
  subscribeSettings((loaded) => {
    changed = true;
    const previous = holder.current;
    holder.current = loaded.settings;
    if (previous) for (const fn of listeners) fn(holder.current, previous);
  }, new AbortController().signal);
  const initial = await loadSettings();
  // A change that was read while the first read was under way is newer than it.
  if (!changed) holder.current = initial.settings;
  return holder;
}
