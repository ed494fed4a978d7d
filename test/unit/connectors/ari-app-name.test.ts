import { describe, expect, it, vi } from 'vitest';
import { settingsSchema } from '../../../utils/settings/schema';

const settings = (control: boolean) =>
  settingsSchema.parse({ connection: { kind: 'ari', url: 'ws://127.0.0.1:8088/ari/events', endpoints: ['PJSIP/100'], control } });

/** A fresh module is what a second browser, profile or worker life loads. */
async function freshAppName() {
  vi.resetModules();
  return (await import('../../../utils/connectors/ari-connector')).ariAppName;
}

describe('ARI application names', () => {
  it('gives every events-only background a name of its own, so two browsers on one endpoint never replace each other', async () => {
    const a = (await freshAppName())(settings(false));
    const b = (await freshAppName())(settings(false));
    expect(a).toMatch(/^ctipop-100-events-[a-z0-9]+$/);
    expect(b).toMatch(/^ctipop-100-events-[a-z0-9]+$/);
    expect(a).not.toBe(b);
  });

  it('keeps the admin’s Stasis name in control mode, which the dialplan names', async () => {
    expect((await freshAppName())(settings(true))).toBe('ctipop-100');
    expect((await freshAppName())(settings(true))).toBe('ctipop-100');
  });
});
