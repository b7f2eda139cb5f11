/**
 * What the benchmark is doing, on stderr: on a terminal one line rewritten in place (every second
 * during a load run), elsewhere (CI, a pipe) only the lines that say something new, so a log stays
 * readable. stdout is kept for the results table.
 */
export class Progress {
  private live = false;

  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {}

  private get interactive(): boolean {
    return Boolean(this.stream.isTTY);
  }

  /** A line that stays: a step of the set-up, a finished run. */
  step(line: string): void {
    this.clear();
    this.stream.write(`[bench] ${line}\n`);
  }

  /** A line that the next one replaces (terminals only). */
  update(line: string): void {
    if (!this.interactive) return;
    const width = this.stream.columns ? this.stream.columns - 1 : 120;
    this.stream.write(`\r\x1b[K[bench] ${line}`.slice(0, width + 5));
    this.live = true;
  }

  clear(): void {
    if (this.live) this.stream.write('\r\x1b[K');
    this.live = false;
  }
}
