import { loadAllPhoneMetadata } from '../../utils/templates/all-phone-metadata';

// Unit tests format numbers of every country synchronously: give them every number plan, as the
// CLI has. test/unit/templates/phone-metadata.test.ts covers loading per calling code.
loadAllPhoneMetadata();
