const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${UNITS[unit]}`;
}

/** `[#########-----------]  45%  12.0 MiB / 26.7 MiB` */
export function progressLine(done: number, total: number, width = 30): string {
  const fraction = total > 0 ? Math.min(1, done / total) : 1;
  const filled = Math.round(fraction * width);
  const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${percent}  ${formatBytes(done)} / ${formatBytes(total)}`;
}

export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

/**
 * The upload's progress on stderr. On a terminal, a bar redrawn in place (at most every
 * `intervalMs`, so a fast local upload does not spend its time drawing); elsewhere (a log, CI) one
 * plain line, since carriage returns would fill a log file with bars.
 */
export class UploadProgress {
  private done = 0;
  private drawnAt = -Infinity;
  private drawnDone = -1;

  constructor(
    private readonly stream: ProgressStream,
    private readonly label: string,
    private readonly total: number,
    private readonly now: () => number = Date.now,
    private readonly intervalMs = 100,
  ) {}

  start(): void {
    if (this.stream.isTTY) {
      this.draw();
    } else {
      this.stream.write(`Uploading ${this.label} (${formatBytes(this.total)})…\n`);
    }
  }

  advance(bytes: number): void {
    this.done += bytes;
    const now = this.now();
    if (this.stream.isTTY && now - this.drawnAt >= this.intervalMs) {
      this.draw(now);
    }
  }

  /** Ends the bar's line, whatever became of the upload. */
  finish(): void {
    if (this.stream.isTTY) {
      if (this.done !== this.drawnDone) {
        this.draw();
      }
      this.stream.write('\n');
    }
  }

  /** Passes `source`'s chunks through, counting them as they are handed to the request. */
  async *track(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
    for await (const chunk of source) {
      this.advance(chunk.byteLength);
      yield chunk;
    }
  }

  private draw(now = this.now()): void {
    this.drawnAt = now;
    this.drawnDone = this.done;
    // \r back to the line's start, \x1b[K clears what a longer previous line left.
    this.stream.write(`\r${progressLine(this.done, this.total)}\x1b[K`);
  }
}
