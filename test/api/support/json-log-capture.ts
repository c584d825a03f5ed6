import { PassThrough } from 'node:stream';

/** A log stream for an in-process app and the JSON lines written to it so far (a line split across chunks is joined). */
export function jsonLogCapture(): { readonly stream: PassThrough; readonly lines: Record<string, any>[] } {
  const lines: Record<string, any>[] = [];
  const stream = new PassThrough();
  let partial = '';
  stream.on('data', (chunk: Buffer) => {
    const parts = (partial + chunk.toString()).split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) if (line.trim()) lines.push(JSON.parse(line));
  });
  return { stream, lines };
}
