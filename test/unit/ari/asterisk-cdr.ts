import { readFileSync } from 'node:fs';
import { isOutsideNumber } from '../../../utils/connectors/ari-endpoints';

const CDR_COLUMNS = ['accountcode', 'src', 'dst', 'dcontext', 'clid', 'channel', 'dstchannel', 'lastapp', 'lastdata', 'start', 'answer', 'end', 'duration', 'billsec', 'disposition', 'amaflags', 'uniqueid', 'userfield'] as const;
/** The fields Asterisk's row and our post-call record must agree on, field by field. */
export const SAME = ['channel', 'dstchannel', 'uniqueid', 'lastapp', 'lastdata', 'src', 'dst', 'dcontext', 'clid', 'disposition'] as const;

/**
 * billsec as CTI.md defines it (from the user's own answer) where it differs from Asterisk's row,
 * which counts from when the caller was answered: by the queue (d), by the IVR (h), or before the
 * blind transfer reached the target (f). Unanswered legs are 0 for us whatever the row says.
 */
const OUR_BILLSEC: Record<string, string> = {
  'd_queue_answered_by_101 PJSIP/101': '6',
  'f_blind_transfer_100_to_101 PJSIP/101': '5',
  'h_ivr_option1_to_100 PJSIP/100': '4',
  // Synthetic: the transfer target answered the consultation at 00:30:08; Asterisk's last row starts at the transfer.
  's_attended_transfer_100_to_101 PJSIP/101': '8',
  's_queue_local_attended_transfer_100_to_101 PJSIP/101': '8',
};

function csvRow(line: string): string[] {
  const out: string[] = [];
  const re = /("((?:[^"]|"")*)"|[^,]*)(,|$)/g;
  for (let m = re.exec(line); m && m.index < line.length; m = re.exec(line)) out.push(m[2] !== undefined ? m[2].replaceAll('""', '"') : m[1] ?? '');
  return out;
}

/** Asterisk's CDR rows of a trace, keyed by column name. */
export function asteriskRows(name: string): Record<string, string>[] {
  const text = readFileSync(new URL(`../../fixtures/ari/${name}.cdr.csv`, import.meta.url), 'utf8').trim();
  return text ? text.split('\n').map((l) => Object.fromEntries(csvRow(l).map((v, i) => [CDR_COLUMNS[i], v]))) : [];
}

/** The user's channel in a row: its channel or its dstchannel. */
const legOf = (row: Record<string, string>, user: string) => [row.channel, row.dstchannel].find((c) => c?.startsWith(`${user}-`));

/**
 * The calls each phone should see, from Asterisk's own rows: one per channel of the user's (CTI.md:
 * one record per call the user took part in). Direction and caller come from the channel's first
 * row (how the call reached the user), the CDR fields from its last (an attended transfer's target
 * ends up talking to the customer, and Asterisk's last row for it is keyed on the customer).
 */
export function expected(name: string, user: string) {
  const rows = new Map<string, Record<string, string>[]>();
  for (const r of asteriskRows(name)) {
    const leg = legOf(r, user);
    if (leg) rows.set(leg, [...(rows.get(leg) ?? []), r]);
  }
  return [...rows.entries()].map(([leg, list]) => {
    const first = list[0]!;
    const last = list[list.length - 1]!;
    const placed = first.channel === leg;
    const outside = isOutsideNumber(first.src ?? '');
    const direction = !placed ? (outside ? 'inbound' : 'internal') : first.dstchannel?.startsWith('PJSIP/pstn') ? 'outbound' : 'internal';
    const answered = last.disposition === 'ANSWERED';
    const [, callerName = '', number = ''] = /^"(.*)" <(.*)>$/.exec(first.clid ?? '') ?? [];
    return {
      summary: { direction, caller: `${callerName} <${number}>`, answered, disposition: last.disposition, billsec: answered ? OUR_BILLSEC[`${name} ${user}`] ?? last.billsec : '0' },
      cdr: Object.fromEntries(SAME.map((k) => [k, last[k]])),
    };
  });
}

