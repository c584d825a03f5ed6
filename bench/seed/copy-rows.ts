import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ClientBase } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

/** Rows are sent in chunks of this many lines: large enough to keep the socket busy, small enough to show progress. */
const ROWS_PER_CHUNK = 5000;

async function* chunks(rows: Iterable<string>, onRows: (n: number) => void): AsyncGenerator<string> {
  let buffer: string[] = [];
  for (const row of rows) {
    buffer.push(row);
    if (buffer.length === ROWS_PER_CHUNK) {
      yield buffer.join('');
      onRows(buffer.length);
      buffer = [];
    }
  }
  if (buffer.length > 0) {
    yield buffer.join('');
    onRows(buffer.length);
  }
}

/**
 * Streams text-format rows (tab-separated, newline-terminated) into `table`
 * with `COPY ... FROM STDIN`, with backpressure from the socket. `onRows` is
 * called after each chunk with the rows it held.
 */
export async function copyRows(client: ClientBase, table: string, columns: readonly string[], rows: Iterable<string>, onRows: (n: number) => void): Promise<void> {
  const sink = client.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN`));
  await pipeline(Readable.from(chunks(rows, onRows)), sink);
}
