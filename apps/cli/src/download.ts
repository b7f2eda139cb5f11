import { ApiFailure } from '@ucupdates/admin-api';
import type { CommandContext, Output } from './command';
import { UsageError } from './exit-codes';

/** Writes a download to an output (stdout) as UTF-8 text, waiting whenever the output asks to. */
async function writeText(output: Output, chunks: AsyncIterable<Uint8Array>): Promise<void> {
  const decoder = new TextDecoder('utf-8');
  for await (const chunk of chunks) {
    const text = decoder.decode(chunk, { stream: true });
    if (text !== '' && output.write(text) === false && output.once) {
      await new Promise<void>((resolve) => output.once?.('drain', resolve));
    }
  }
  const rest = decoder.decode();
  if (rest !== '') {
    output.write(rest);
  }
}

/**
 * An export (a CSV file the API streams) to stdout, or to `file`, which appears only once the
 * whole download has arrived; answers the bytes written to the file, or null for stdout.
 */
export async function saveDownload(context: CommandContext, body: AsyncIterable<Uint8Array>, file: string | undefined): Promise<number | null> {
  if (file === undefined) {
    await writeText(context.stdout, body);
    return null;
  }
  try {
    return await context.files.write(file, body);
  } catch (error) {
    if (error instanceof ApiFailure) {
      throw error;
    }
    // A path that cannot be written is a mistake in the command line, like a file import-update cannot read.
    throw new UsageError(`cannot write ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}
