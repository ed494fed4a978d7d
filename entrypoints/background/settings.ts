import { loadSettings, subscribeSettings } from '@/utils/adapters/settings-storage';
import type { Settings } from '@/utils/settings/schema';

export interface WorkerSettings {
  current: Settings;
  onChange(fn: (next: Settings, previous: Settings) => void): void;
}

/** The effective settings (user values under policy), kept current as either changes. */
export async function loadWorkerSettings(): Promise<WorkerSettings> {
  const listeners: ((next: Settings, previous: Settings) => void)[] = [];
  const holder: WorkerSettings = {
    current: (await loadSettings()).settings,
    onChange: (fn) => void listeners.push(fn),
  };
  subscribeSettings((loaded) => {
    const previous = holder.current;
    holder.current = loaded.settings;
    for (const fn of listeners) fn(holder.current, previous);
  }, new AbortController().signal);
  return holder;
}
