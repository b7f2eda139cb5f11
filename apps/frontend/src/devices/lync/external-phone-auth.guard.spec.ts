import type { FastifyRequest } from 'fastify';
import { addressOf } from '../device-request';
import { basicCredentials } from './external-phone-auth.guard';

const basic = (text: string) => `Basic ${Buffer.from(text, 'utf8').toString('base64')}`;

describe('Basic credentials of external phones', () => {
  it('splits a SIP user id from its password after the sip: colon', () => {
    expect(basicCredentials(basic('sip:alice@contoso.com:pa:ss'))).toEqual({ userId: 'sip:alice@contoso.com', password: 'pa:ss' });
  });

  // Found by the hostile-input suite: a NUL reached the directory's query and came back as a 503.
  it('makes credentials with control characters wrong ones, never a lookup', () => {
    expect(basicCredentials(basic('\u0000:\u0000'))).toEqual({ userId: '', password: '' });
    expect(basicCredentials(basic('sip:a@b:pw\u0007'))).toEqual({ userId: '', password: '' });
  });

  // Found by the hostile-input suite: a client gone before its body was read has no address.
  it('takes a request without a socket address', () => {
    expect(addressOf({ ip: undefined } as unknown as FastifyRequest)).toBe('');
  });
});

describe('basicCredentials', () => {
  it('splits user and password at the first colon, or the first after a leading sip:', () => {
    expect(basicCredentials(basic('alice:pa:ss'))).toEqual({ userId: 'alice', password: 'pa:ss' });
    expect(basicCredentials(basic('sip:alice@contoso.com:pa:ss'))).toEqual({ userId: 'sip:alice@contoso.com', password: 'pa:ss' });
    expect(basicCredentials(basic('SIP:bob@contoso.com:'))).toEqual({ userId: 'SIP:bob@contoso.com', password: '' });
  });

  it('is null for no header, another scheme, no colon or an empty user', () => {
    for (const header of [undefined, '', 'Bearer abc', basic('nocolon'), basic(':password'), 'Basic !!!']) {
      expect(basicCredentials(header)).toBeNull();
    }
  });
});
