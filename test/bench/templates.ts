import { expandTemplate } from '../../utils/templates/expand-template';
import { withNumberFormats } from '../../utils/templates/phone-formats';
import { sample, summarize, type BenchRow } from './measure';
import { loadAllPhoneMetadata } from '../../utils/templates/all-phone-metadata';

loadAllPhoneMetadata();

const POPUP =
  'https://crm.example/contacts/search?phone=%%calleridnumber%%&name=%%calleridname%%' +
  '&ext=%%exten%%&did=%%did%%&dir=%%direction%%&call=%%uniqueid%%';
const POPUP_E164 = POPUP.replace('phone=%%calleridnumber%%', 'phone=%%calleridnumber_e164%%');

const VARIABLES = {
  calleridnumber: '030 1234567',
  calleridname: 'Zoë Müller & Söhne',
  exten: '200',
  did: '+49301234500',
  direction: 'inbound',
  uniqueid: '1700000000.42',
};

/** Template expansion cost per call: the pop-up template alone, and with phone-number formats. */
export async function run(): Promise<BenchRow[]> {
  const plain = summarize('templates: pop-up URL, 6 variables', sample(() => expandTemplate(POPUP, VARIABLES)));
  const formatted = summarize(
    'templates: pop-up URL, 6 variables + number formats (DE)',
    sample(() => expandTemplate(POPUP_E164, withNumberFormats(VARIABLES, 'DE'))),
    'µs',
    plain.name,
  );
  return [plain, { ...formatted, note: 'withNumberFormats parses with libphonenumber-js/min on every call' }];
}
