import { hashPassword, verifyPassword } from './password-hash';

describe('password hashes', () => {
  it('verifies the password it hashed, and no other', async () => {
    const stored = await hashPassword('correct horse battery');
    expect(stored).toMatch(/^scrypt\$32768\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(await verifyPassword('correct horse battery', stored)).toBe(true);
    expect(await verifyPassword('correct horse batterY', stored)).toBe(false);
  });

  it('salts every hash', async () => {
    expect(await hashPassword('same')).not.toBe(await hashPassword('same'));
  });

  it('treats equivalent Unicode forms as the same password', async () => {
    const stored = await hashPassword('caf\u00e9');
    expect(await verifyPassword('cafe\u0301', stored)).toBe(true);
  });

  it.each(['', 'plain', 'scrypt$1$1$1$x$y', 'bcrypt$2$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAA', 'scrypt$99999999$8$1$AAAA$AAAA', `scrypt$3$8$1$AAAA$${'A'.repeat(43)}`])(
    'refuses a stored value it did not make: %j',
    async (stored) => {
      expect(await verifyPassword('x', stored)).toBe(false);
    },
  );
});
