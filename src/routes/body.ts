/**
 * Reads a request body up to a limit. The declared Content-Length is checked first so an oversized
 * upload is refused before it is read; the stream is counted too, since a sender may omit or lie
 * about the length (chunked encoding).
 */
import { InletError } from '../errors';
import { log } from '../lib/log';
import { type Bytes, concatBytes } from '../verify/crypto';

export async function readBody(request: Request, limit: number): Promise<Bytes> {
  const tooLarge = () =>
    new InletError(413, 'payload_too_large', `The body exceeds the limit of ${limit} bytes.`);
  const declared = Number(request.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > limit) throw tooLarge();
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Bytes[] = [];
  let size = 0;
  for (;;) {
    let read: ReadableStreamReadResult<Bytes>;
    try {
      read = (await reader.read()) as ReadableStreamReadResult<Bytes>;
    } catch {
      // The sender went away mid-upload: its problem, answered and logged as that, not as ours.
      log.warn('request body incomplete: the sender disconnected', { bytes_read: size });
      throw new InletError(400, 'incomplete_body', 'The request body ended before it was complete.');
    }
    const { done, value } = read;
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  return concatBytes(...chunks);
}
