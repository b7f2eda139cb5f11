import { basicCredentials } from './external-phone-auth.guard';
import { addressOf } from './phone-request';
import type { FastifyRequest } from 'fastify';

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
