import { readFileSync } from 'node:fs';
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import { z } from 'zod';

const contactSchema = z.object({
  id: z.string(),
  name: z.string(),
  company: z.string().default(''),
  /** What the CTI reply sets as caller-ID name; default "Name (Company)". */
  calleridname: z.string().optional(),
  accountcode: z.string().max(19),
  /** The same person's numbers in the formats people type them. */
  numbers: z.array(z.string()).min(1),
  route: z.object({ type: z.string(), name: z.string(), break: z.boolean().default(false) }).optional(),
});
const bookSchema = z.object({ homeCountry: z.string().length(2), contacts: z.array(contactSchema) });

export type Contact = z.infer<typeof contactSchema>;
export type ContactBook = z.infer<typeof bookSchema>;

/** The fixture contacts shipped in test/sim/contacts.json. */
export function loadContactBook(path = new URL('./contacts.json', import.meta.url)): ContactBook {
  return bookSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
}

/** E.164 when the number parses for the home country, else its digits: numbers compare in this form. */
export function normaliseNumber(raw: string, homeCountry: string): string {
  const parsed = parsePhoneNumberFromString(raw, homeCountry.toUpperCase() as CountryCode);
  return parsed?.number ?? raw.replace(/\D/g, '');
}

/**
 * The contact a CTI request is about: `calleridnumber_e164` first, then `calleridnumber`; for an
 * outbound request the dialled `exten` too, since there the caller ID is our own user.
 */
export function findContact(book: ContactBook, params: URLSearchParams): Contact | undefined {
  const candidates = [params.get('calleridnumber_e164'), params.get('calleridnumber'), params.get('direction') === 'outbound' ? params.get('exten') : null]
    .filter((n): n is string => n !== null && n.trim() !== '')
    .map((n) => normaliseNumber(n, book.homeCountry));
  return book.contacts.find((c) => c.numbers.some((n) => candidates.includes(normaliseNumber(n, book.homeCountry))));
}

const xml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] ?? c);

/** The CTI XML reply for a contact (CTI.md §3), or an empty `<ipbx/>` for an unknown caller. */
export function lookupReply(contact: Contact | undefined): string {
  if (!contact) return '<?xml version="1.0" encoding="UTF-8"?>\n<ipbx/>\n';
  const name = contact.calleridname ?? (contact.company ? `${contact.name} (${contact.company})` : contact.name);
  const route = contact.route
    ? `  <route>\n    <type>${xml(contact.route.type)}</type>\n    <name>${xml(contact.route.name)}</name>\n    <break>${contact.route.break ? 1 : 0}</break>\n  </route>\n`
    : '';
  return `<?xml version="1.0" encoding="UTF-8"?>\n<ipbx>\n  <set>\n    <calleridname>${xml(name)}</calleridname>\n    <accountcode>${xml(contact.accountcode)}</accountcode>\n  </set>\n${route}</ipbx>\n`;
}
