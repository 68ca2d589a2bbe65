import type { IncomingMessage } from 'node:http';
import type { InboundBody } from './parse-body.js';

/** What reading a request's body gave. */
export type ReadBodyOutcome =
  | { readonly kind: 'body'; readonly body: InboundBody }
  /**
   * Larger than `maxBytes`. `drained`: the rest was read and thrown away, so the connection can
   * carry the next request; otherwise the sender kept going past the drain allowance and the
   * connection must be closed after the answer.
   */
  | { readonly kind: 'tooLarge'; readonly size: number; readonly drained: boolean }
  /** The client aborted, or the stream failed, before the body was complete. */
  | { readonly kind: 'failed' };

/**
 * Reads a request's body with a size cap. A framework that read the stream already left the body
 * in `request.body`; a `request.body` next to an unread stream (a body parser that skipped this
 * content type, as Express 4 does with `{}`) is not the body, so the stream is read instead.
 *
 * An oversized body is never kept, but it is drained (up to `maxDrainBytes` more) rather than
 * left in the socket: destroying the stream would destroy a keep-alive connection, and with it
 * the next event the platform sends on it.
 */
export function readRequestBody(
  request: IncomingMessage,
  maxBytes: number,
  maxDrainBytes: number,
): Promise<ReadBodyOutcome> {
  const parsed = (request as IncomingMessage & { body?: unknown }).body;
  if (request.readableEnded) {
    if (typeof parsed === 'string' || parsed instanceof Uint8Array) {
      return Promise.resolve({ kind: 'body', body: parsed });
    }
    if (typeof parsed === 'object' && parsed !== null) {
      return Promise.resolve({ kind: 'body', body: parsed as Record<string, unknown> });
    }
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (outcome: ReadBodyOutcome) => {
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onFailure);
      request.off('aborted', onFailure);
      resolve(outcome);
    };
    const onData = (chunk: Buffer | string) => {
      const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      size += buffer.byteLength;
      if (size <= maxBytes) {
        chunks.push(buffer);
        return;
      }
      chunks.length = 0; // never keep an oversized body
      if (size > maxBytes + maxDrainBytes) {
        request.pause();
        finish({ kind: 'tooLarge', size, drained: false });
      }
    };
    const onEnd = () =>
      finish(
        size > maxBytes
          ? { kind: 'tooLarge', size, drained: true }
          : { kind: 'body', body: Buffer.concat(chunks) },
      );
    const onFailure = () => finish({ kind: 'failed' });
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('error', onFailure);
    request.on('aborted', onFailure);
  });
}
