import { bufferSource, readCpioMembers, readMemberData } from './cpio-reader';
import { bufferEntry, cpioSize, writeCpio } from './cpio-writer';
import { SwuError, SwuErrorCode } from './swu-error';

async function archive(...members: [string, string][]): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of writeCpio(members.map(([name, text]) => bufferEntry(name, Buffer.from(text))))) chunks.push(chunk);
  return Buffer.concat(chunks);
}

async function refusal(bytes: Buffer, maxMembers = 100): Promise<SwuError> {
  try {
    await readCpioMembers(bufferSource(bytes), { maxMembers });
  } catch (error) {
    if (error instanceof SwuError) return error;
    throw error;
  }
  throw new Error('the archive was read');
}

describe('the cpio reader', () => {
  it('reads the members the writer wrote, in order, with their data where the headers say', async () => {
    const bytes = await archive(['sw-description', 'software = {};\n'], ['sw-description.sig', 'sig'], ['hello.txt', 'hello\n']);
    const source = bufferSource(bytes);
    const { format, members } = await readCpioMembers(source, { maxMembers: 10 });
    expect(format).toBe('crc');
    expect(members.map((member) => [member.name, member.size])).toEqual([
      ['sw-description', 15],
      ['sw-description.sig', 3],
      ['hello.txt', 6],
    ]);
    expect(members.every((member) => member.dataOffset % 4 === 0)).toBe(true);
    expect((await readMemberData(source, members[2], format)).toString()).toBe('hello\n');
  });

  it('knows the size of what the writer writes before writing it', async () => {
    const members: [string, string][] = [['sw-description', 'software = {};\n'], ['a', ''], ['hello.txt', 'hello\n']];
    expect(cpioSize(members.map(([name, text]) => ({ name, size: text.length })))).toBe((await archive(...members)).length);
  });

  it('reads the newc form, whose headers carry no checksum', async () => {
    const bytes = await archive(['sw-description', 'x']);
    // The same archive in newc form: another magic in every header, checksums zero.
    const text = bytes.toString('latin1').replace(/070702([0-9a-f]{96})[0-9a-f]{8}/g, '070701$100000000');
    const source = bufferSource(Buffer.from(text, 'latin1'));
    const { format, members } = await readCpioMembers(source, { maxMembers: 10 });
    expect([format, members.map((member) => member.name)]).toEqual(['newc', ['sw-description']]);
    expect((await readMemberData(source, members[0], format)).toString()).toBe('x');
  });

  it.each([
    ['a file that is no cpio archive', async () => Buffer.from('PK\u0003\u0004 a zip file, not cpio'), SwuErrorCode.NotCpio],
    ['an empty file', async () => Buffer.alloc(0), SwuErrorCode.NotCpio],
    ['a header cut short', async () => (await archive(['a', 'b'])).subarray(0, 60), SwuErrorCode.Truncated],
    ['data cut short', async () => (await archive(['a', 'x'.repeat(100)])).subarray(0, 150), SwuErrorCode.Truncated],
    ['no trailer', async () => (await archive(['a', 'bcd'])).subarray(0, 116), SwuErrorCode.Truncated],
    ['a size that is not hex', async () => Buffer.from((await archive(['a', 'b'])).toString('latin1').replace(/^(.{54}).{8}/s, '$1zzzzzzzz'), 'latin1'), SwuErrorCode.BadHeader],
    ['a name without its NUL', async () => Buffer.from((await archive(['ab', 'c'])).toString('latin1').replace('ab\0', 'abc'), 'latin1'), SwuErrorCode.BadHeader],
    ['a huge name size', async () => Buffer.from((await archive(['a', 'b'])).toString('latin1').replace(/^(.{94}).{8}/s, '$1ffffffff'), 'latin1'), SwuErrorCode.BadHeader],
  ])('refuses %s', async (_, make, code) => {
    expect((await refusal(await make())).code).toBe(code);
  });

  it('refuses more members than allowed before reading further', async () => {
    const bytes = await archive(['a', '1'], ['b', '2'], ['c', '3']);
    expect(await refusal(bytes, 2)).toMatchObject({ code: SwuErrorCode.TooLarge, message: 'it has more than 2 members' });
  });

  it("refuses a crc member whose bytes do not sum to its header's checksum", async () => {
    const bytes = await archive(['sw-description', 'software = {};']);
    const source = bufferSource(Buffer.from(bytes.toString('latin1').replace('software', 'hardware'), 'latin1'));
    const { format, members } = await readCpioMembers(source, { maxMembers: 10 });
    await expect(readMemberData(source, members[0], format)).rejects.toMatchObject({ code: SwuErrorCode.BadChecksum });
  });
});
