import * as z from 'zod/mini';

// zod compiles validators with `new Function` unless told not to; MV3's CSP forbids that.
z.config({ jitless: true });

/** `<set>` children a CTI reply may carry (CTI.md §3), in the order output lists them. */
export const SET_FIELDS = ['calleridname', 'calleridnumber', 'accountcode', 'acc_code2', 'acc_code3', 'record'] as const;
export type SetField = (typeof SET_FIELDS)[number];

/** Route `type` keywords (CTI.md §3): two documented, the rest from the PBX's destination list. */
export const ROUTE_TYPES = ['extension', 'function', 'ivr', 'group', 'queue', 'conf', 'channel', 'directory', 'starcode', 'voicemail'] as const;
export type RouteType = (typeof ROUTE_TYPES)[number];

/**
 * Longest value, in characters (code points), each field may have. `accountcode` (Asterisk's CDR
 * column) and `calleridname` are CTI.md's; the others are ours: 80 is Asterisk's extension length.
 */
export const MAX_LENGTH = { calleridname: 80, calleridnumber: 80, accountcode: 19, acc_code2: 80, acc_code3: 80, name: 80 } as const;

export function codePointLength(text: string): number {
  let surrogatePairs = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff) surrogatePairs++;
  }
  return text.length - surrogatePairs;
}

const limitedText = (field: keyof typeof MAX_LENGTH) =>
  z.string().check(
    z.minLength(1),
    z.refine((value) => codePointLength(value) <= MAX_LENGTH[field], {
      error: (issue) =>
        `${field === 'name' ? 'route name' : field} has ${codePointLength(String(issue.input))} characters; ` +
        `the limit is ${MAX_LENGTH[field]} and values are never truncated: shorten it on the CTI server.`,
    }),
  );

export const setSchema = z.partial(z.object({
  calleridname: limitedText('calleridname'),
  calleridnumber: limitedText('calleridnumber'),
  accountcode: limitedText('accountcode'),
  acc_code2: limitedText('acc_code2'),
  acc_code3: limitedText('acc_code3'),
  /** Normalised: the reply's `1`/`0` arrive here as `yes`/`no`. */
  record: z.enum(['yes', 'no']),
}));

export const routeSchema = z.object({
  type: z.enum(ROUTE_TYPES, {
    error: (issue) => `Route type ${JSON.stringify(String(issue.input).slice(0, 40))} is unknown; use one of ${ROUTE_TYPES.join(', ')} (lower case).`,
  }),
  name: limitedText('name'),
});

/** A parsed, cleaned CTI reply: what it asks to set, where to route, whether to break. */
export const replySchema = z.object({
  set: setSchema,
  route: z.nullable(routeSchema),
  break: z.boolean(),
});

export type Reply = z.infer<typeof replySchema>;

/** Something in a reply that was ignored or adjusted; `path` is like `ipbx/set/accountcode`. */
export interface ReplyIssue {
  path: string;
  message: string;
}
