import * as z from 'zod/mini';
import { ROUTE_TYPES } from '../reply/reply-schema';
import { APPLICATION_TYPES } from '../templates/variables';
import { DEFAULT_ROUTE_RULES } from './route-rules';

// zod compiles validators with `new Function` unless told not to; MV3's CSP forbids that.
z.config({ jitless: true });

/**
 * The one definition of CTI Pop's settings: type, defaults, form labels (i18n keys derived from the
 * path), the managed-storage policy schema and the options form all come from here.
 *
 * Written with `zod/mini` (functional checks instead of methods), so the background worker, which
 * repairs and validates settings, does not carry classic zod. Every field is one of the builders
 * below, each with its default; a new field is one line in its group, e.g.
 *   `dialPrefix: text(16),` · `retries: int(3, 0, 10),` · `sound: flag(false),`
 *   `mode: choice(['a', 'b'], 'a'),` · `prefixes: list(z.string().check(z.maxLength(8)), 16),`
 * then `npx tsx utils/settings/write-managed-schema.ts` (the policy schema) and the `setting_…`
 * label and help keys in public/_locales (the locales test names any missing).
 * `secret(…)` fields live only in storage.local, are left out of exports and never shown.
 * `template(…)` fields are CTI URL templates (linted, previewed, permission-checked).
 * `policyOnly(…)` fields take their value from administrator policy only, never from the user.
 */
const text = (max: number, def = '') => z._default(z.string().check(z.maxLength(max)), def);
const matching = (pattern: RegExp, def: string) => z._default(z.string().check(z.regex(pattern)), def);
const secret = (max: number) => text(max).check(z.meta({ secret: true }));
const template = (kind: 'call' | 'cdr') => text(4096).check(z.meta({ template: kind }));
const int = (def: number, min: number, max: number) => z._default(z.int().check(z.minimum(min), z.maximum(max)), def);
const flag = (def: boolean) => z._default(z.boolean(), def);
const choice = <const T extends readonly [string, ...string[]]>(options: T, def: T[number]) => z._default(z.enum(options), def);
const list = <T extends z.ZodMiniType>(item: T, max: number) => z._default(z.array(item).check(z.maxLength(max)), []);
/** A group of fields: missing in storage or policy means all its defaults. */
const group = <T extends z.core.$ZodLooseShape>(shape: T) => z.prefault(z.object(shape), {} as z.input<z.ZodMiniObject<T>>);
/** An item of a `list`, e.g. a PBX endpoint name. */
const name = (max: number) => z.string().check(z.minLength(1), z.maxLength(max));

export const applicationRule = z.object({
  type: z.enum(APPLICATION_TYPES),
  /** Empty matches every application of the type. */
  name: text(128),
  direction: choice(['any', 'inbound', 'outbound', 'internal'], 'any'),
  /** Empty matches every DID. */
  did: text(64),
  url: template('call'),
});

/** A dialplan name part: letters, digits, `_ - . +`, and `{name}` where the route's name goes. */
const dialplanPart = (def: string) => matching(/^(?:[A-Za-z0-9_.+-]|\{name\}){1,80}$/, def);

/** One entry of the route allow-list: names of this route type matching `pattern` go to `context,exten`. */
export const routeRule = z.object({
  type: z.enum(ROUTE_TYPES),
  /** A regular expression the whole route name must match (anchored for you), e.g. `[0-9]{2,5}`. */
  pattern: z._default(z.string().check(z.minLength(1), z.maxLength(256), z.refine(compiles, { error: 'not a valid regular expression' })), '[0-9]{2,5}'),
  context: dialplanPart('from-internal'),
  exten: dialplanPart('{name}'),
});

function compiles(pattern: string): boolean {
  try {
    new RegExp(pattern, 'u');
    return true;
  } catch {
    return false;
  }
}

/** Set only by administrator policy: the user's own value is never used (merge-policy). */
const policyOnly = (def: boolean) => flag(def).check(z.meta({ policyOnly: true }));

export const settingsSchema = z.object({
  connection: group({
    kind: choice(['json-ws', 'json-sse', 'ari'], 'json-ws'),
    url: text(2048),
    /** Bearer token (JSON stream) or `user:password` ARI key. */
    secret: secret(4096),
    /** Endpoints that are "me", e.g. PJSIP/100. */
    endpoints: list(name(128), 32),
    /** ARI: endpoints that are trunks to the outside world, e.g. PJSIP/pstn. */
    trunks: list(name(128), 32),
    /** Queues/groups whose calls concern me even before they ring my phone. */
    queues: list(name(128), 64),
    /** ARI: take calls the dialplan sends to Stasis and apply replies for real (needs a write-capable user). */
    control: flag(false),
    ariApp: matching(/^[A-Za-z0-9_.-]{1,64}$/, 'ctipop'),
  }),
  cti: group({
    popupUrl: template('call'),
    inboundUrl: template('call'),
    outboundUrl: template('call'),
    applicationRules: list(applicationRule, 50),
    postCallUrl: template('cdr'),
  }),
  behaviour: group({
    target: choice(['sidepanel', 'tab', 'window'], 'sidepanel'),
    /** When the side panel is closed (browsers need a gesture to open it). */
    fallback: choice(['notification', 'tab', 'badge'], 'notification'),
    reuseTab: flag(true),
    focus: flag(true),
    popOn: choice(['ring', 'answer'], 'ring'),
    popInbound: flag(true),
    popOutbound: flag(false),
    popInternal: flag(false),
    notifications: flag(true),
    doNotDisturb: flag(false),
  }),
  numbers: group({
    /** ISO 3166 alpha-2; national formats and E.164 are derived from it. */
    homeCountry: matching(/^[A-Z]{2}$/, 'DE'),
  }),
  /** Click-to-dial: the user's phone rings first, then the PBX dials the number (ARI originate or a `dial` frame). */
  dialling: group({
    /** Which of the user's endpoints rings; empty: the first of connection.endpoints. */
    phone: text(128),
    /** ARI: the dialplan context the number is dialled in once the phone answers. */
    context: matching(/^[A-Za-z0-9_.-]{1,80}$/, 'from-internal'),
    /** ARI: caller ID the user's phone shows while it rings; empty shows the number it will call. (\x escapes: Chrome reads policy patterns with RE2, which refuses \u.) */
    callerId: z._default(z.string().check(z.maxLength(80), z.regex(/^[^\x00-\x1F\x7F]*$/)), ''),
    /** ARI: seconds the user's phone rings before the attempt is given up. */
    ringTimeoutS: int(30, 5, 120),
    /** Digits the PBX needs before every outside number (e.g. 0); empty for none. */
    outsidePrefix: matching(/^[0-9]{0,4}$/, ''),
    /** Before a foreign number's country code; empty: the home country's (00, 011 …). */
    intlPrefix: matching(/^[0-9]{0,6}$/, ''),
    /** Numbers of up to this many digits are internal extensions, dialled as they are. */
    internalDigits: int(6, 0, 10),
    /** `pbx`: national/international digits with the prefixes above; `e164`: +4930… as is. */
    sendAs: choice(['pbx', 'e164'], 'pbx'),
  }),
  advanced: group({
    lookupTimeoutMs: int(2000, 100, 30_000),
    maxReplyBytes: int(65_536, 1024, 65_536),
    maxLookupsInFlight: int(4, 1, 16),
    postCallTimeoutMs: int(10_000, 500, 120_000),
    historySize: int(200, 10, 2000),
    heartbeatTimeoutMs: int(45_000, 5_000, 300_000),
    /** Send the browser's cookies for the CRM with CTI lookups (a CRM that authenticates by session). */
    lookupCookies: flag(false),
  }),
  // Least privilege (issue 11): what a CTI reply may do to a real call, and how the PBX is reached.
  security: group({
    /** Where a reply's `<route>` may send a real call; a name no rule matches is refused and reported. */
    routes: z._default(z.array(routeRule).check(z.maxLength(50)), () => structuredClone(DEFAULT_ROUTE_RULES)),
    /** ws:/http: to a PBX other than this computer: the ARI key or token would travel readable. */
    allowPlainPbx: policyOnly(false),
  }),
});

export type Settings = z.infer<typeof settingsSchema>;
export type SettingsInput = z.input<typeof settingsSchema>;
export type ApplicationRule = z.infer<typeof applicationRule>;
export type RouteRule = z.infer<typeof routeRule>;

export const DEFAULT_SETTINGS: Settings = settingsSchema.parse({});
