import { formatBytes, progressLine, UploadProgress } from './progress';

describe('formatBytes', () => {
  it.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [1024, '1.0 KiB'],
    [1536, '1.5 KiB'],
    [200 * 1024 * 1024, '200.0 MiB'],
    [2 * 1024 ** 3, '2.0 GiB'],
  ])('%d bytes are %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});

describe('progressLine', () => {
  it('fills the bar by the share sent', () => {
    expect(progressLine(512, 2048, 8)).toBe('[##------]  25%  512 B / 2.0 KiB');
    expect(progressLine(2048, 2048, 8)).toBe('[########] 100%  2.0 KiB / 2.0 KiB');
  });

  it('shows an empty file as done, and never more than all of it', () => {
    expect(progressLine(0, 0, 4)).toBe('[####] 100%  0 B / 0 B');
    expect(progressLine(10, 5, 4)).toBe('[####] 100%  10 B / 5 B');
  });
});

describe('UploadProgress', () => {
  async function upload(isTTY: boolean, times: number[]) {
    const written: string[] = [];
    const clock = [...times];
    const progress = new UploadProgress({ isTTY, write: (text: string) => written.push(text) }, 'UCUpdates.cab', 300, () => clock.shift() ?? 1e9);
    async function* chunks() {
      yield* [new Uint8Array(100), new Uint8Array(100), new Uint8Array(100)];
    }
    progress.start();
    let passed = 0;
    for await (const chunk of progress.track(chunks())) {
      passed += chunk.byteLength;
    }
    progress.finish();
    return { written, passed };
  }

  it('on a terminal redraws the bar in place, at most every 100 ms, and ends its line', async () => {
    // start at 0; chunks at 50 (skipped), 150 (drawn), 160 (skipped); finish at 1e9.
    const { written, passed } = await upload(true, [0, 50, 150, 160]);
    expect(passed).toBe(300);
    expect(written.map((text) => text.replace(/\[[#-]+\]/, '[bar]'))).toEqual([
      '\r[bar]   0%  0 B / 300 B\u001b[K',
      '\r[bar]  66%  200 B / 300 B\u001b[K',
      '\r[bar] 100%  300 B / 300 B\u001b[K',
      '\n',
    ]);
  });

  it('elsewhere writes one plain line, no carriage returns', async () => {
    const { written } = await upload(false, []);
    expect(written).toEqual(['Uploading UCUpdates.cab (300 B)…\n']);
  });
});
