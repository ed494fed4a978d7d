import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'puppeteer-core';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** One axe finding, short enough to read in a failed assertion. */
export interface AxeFinding { rule: string; impact: string; targets: string[]; summary: string }

/**
 * Runs axe-core (every rule axe runs by default: WCAG 2.x A/AA and best practices) on `page`, or
 * on the part `selector` names. Returns the violations; the CRM's own page in the pop frame is
 * not ours to judge, so frames are left out.
 */
export async function axeViolations(page: Page, selector?: string): Promise<AxeFinding[]> {
  const injected = await page.evaluate(() => typeof (globalThis as { axe?: unknown }).axe === 'object');
  if (!injected) await page.evaluate(AXE_SOURCE);
  return page.evaluate(async (sel) => {
    type Result = { violations: { id: string; impact: string; nodes: { target: string[]; failureSummary: string }[] }[] };
    const axe = (globalThis as unknown as { axe: { run(c: unknown, o: object): Promise<Result> } }).axe;
    const context = sel ? { include: [sel], exclude: ['iframe'] } : { exclude: ['iframe'] };
    const result = await axe.run(context, { resultTypes: ['violations'], iframes: false });
    return result.violations.flatMap((v) => v.nodes.map((n) => ({ rule: v.id, impact: v.impact, targets: n.target.map(String), summary: n.failureSummary.split('\n').slice(0, 2).join(' ') })));
  }, selector);
}
