import { describe, expect, it } from 'vitest';
import { createChannelClassifier, endpointOfChannel, isOutsideNumber } from '../../../utils/connectors/ari-endpoints';
import { parseAriTimestamp } from '../../../utils/connectors/ari-timestamp';
import { ariChannelsUrl, ariEventsUrl, redactAriUrl } from '../../../utils/connectors/ari-translate';

describe('ARI channel names', () => {
  it('strips the sequence suffix and Local half', () => {
    expect(endpointOfChannel('PJSIP/100-0000002a')).toBe('PJSIP/100');
    expect(endpointOfChannel('PJSIP/sip-trunk-0000000d')).toBe('PJSIP/sip-trunk');
    expect(endpointOfChannel('Local/601@ext-queues-00000005;2')).toBe('Local/601@ext-queues');
    expect(endpointOfChannel('PJSIP/100')).toBe('PJSIP/100');
  });

  it('classifies: user, Local, configured trunk/phone, digits = phone, other names = trunk', () => {
    const c = createChannelClassifier({ endpoints: ['PJSIP/100'], trunks: ['PJSIP/9000'], phones: ['PJSIP/alice'] });
    expect(c.kindOf('pjsip/100-00000001')).toBe('user');
    expect(c.kindOf('PJSIP/101-00000002')).toBe('phone');
    expect(c.kindOf('PJSIP/9000-00000003')).toBe('trunk');
    expect(c.kindOf('PJSIP/alice-00000004')).toBe('phone');
    expect(c.kindOf('PJSIP/pstn-00000005')).toBe('trunk');
    expect(c.kindOf('Local/100@from-queue-00000006;1')).toBe('local');
  });

  it('compares the technology case-insensitively but the resource exactly', () => {
    const c = createChannelClassifier({ endpoints: ['pjsip/Alice'] });
    expect(c.kindOf('PJSIP/Alice-00000001')).toBe('user');
    expect(c.kindOf('PJSIP/alice-00000001')).not.toBe('user');
    expect(c.userEndpointOf('PJSIP/Alice-00000001')).toBe('pjsip/Alice');
  });

  it('tells outside numbers from extensions', () => {
    expect(isOutsideNumber('+15551234567')).toBe(true);
    expect(isOutsideNumber('02079460123')).toBe(true);
    expect(isOutsideNumber('100')).toBe(false);
    expect(isOutsideNumber('123456')).toBe(false);
    expect(isOutsideNumber('1234567', 8)).toBe(false);
  });
});

describe('ARI timestamps and URLs', () => {
  it('reads Asterisk timestamps with and without a colon in the offset', () => {
    expect(parseAriTimestamp('2026-11-27T23:43:56.302+0000')).toBe(Date.UTC(2026, 10, 27, 23, 43, 56, 302));
    expect(parseAriTimestamp('2026-11-28T01:43:56.302+02:00')).toBe(Date.UTC(2026, 10, 27, 23, 43, 56, 302));
    expect(parseAriTimestamp('2026-11-27T18:43:56-0500')).toBe(Date.UTC(2026, 10, 27, 23, 43, 56));
    expect(parseAriTimestamp('yesterday')).toBeUndefined();
    expect(parseAriTimestamp(undefined)).toBeUndefined();
  });

  it('builds the event and channel URLs from a base with or without /ari', () => {
    expect(ariEventsUrl('https://pbx.example.com:8089', 'ctipop-100', 'cti:s&cret')).toBe(
      'wss://pbx.example.com:8089/ari/events?app=ctipop-100&subscribeAll=true&api_key=cti%3As%26cret');
    expect(ariEventsUrl('http://127.0.0.1:8088/ari/', 'a', 'u:p')).toBe('ws://127.0.0.1:8088/ari/events?app=a&subscribeAll=true&api_key=u%3Ap');
    expect(ariChannelsUrl('ws://127.0.0.1:8088/ari')).toBe('http://127.0.0.1:8088/ari/channels');
    expect(ariChannelsUrl('https://pbx/')).toBe('https://pbx/ari/channels');
  });

  it('redacts api_key and user:password for logs', () => {
    expect(redactAriUrl('wss://pbx/ari/events?app=a&api_key=cti%3Asecret&subscribeAll=true')).toBe('wss://pbx/ari/events?app=a&api_key=***&subscribeAll=true');
    expect(redactAriUrl('https://cti:secret@pbx/ari/channels')).toBe('https://cti:***@pbx/ari/channels');
    expect(redactAriUrl('not a url ?api_key=x')).toBe('not a url ?api_key=***');
  });
});
