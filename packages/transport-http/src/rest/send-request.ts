import { BitrixError } from '../errors.js';
import { type RestSuccess, readEnvelope } from './envelope.js';

/** The `fetch` signature the transport needs; inject your own (a proxy agent, a test double). */
export type FetchFunction = (input: string, init: RequestInit) => Promise<Response>;

/** One HTTP request to a REST method. */
export interface SendRequestInput {
  readonly fetch: FetchFunction;
  readonly url: string;
  /** Form-encoded parameters. */
  readonly body: string;
  readonly method: string;
  readonly portal: string;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal | undefined;
  readonly now: () => number;
}

/** Aborts when the caller's signal fires or the timeout passes, and tells which happened. */
function deadline(timeoutMs: number, signal: AbortSignal | undefined) {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  const onAbort = () => controller.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  return {
    signal: controller.signal,
    timedOut: () => timedOut,
    dispose: () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    },
  };
}

/**
 * Sends one POST and reads the platform's envelope. Never throws: a timeout, an abort, a
 * connection failure or an unreadable body become a `BitrixError` value. The URL (which holds a
 * webhook's secret) is never put into a message.
 */
export async function sendRequest(input: SendRequestInput): Promise<RestSuccess | BitrixError> {
  const where = `${input.method} on ${input.portal}`;
  const context = { method: input.method, portal: input.portal };
  if (input.signal?.aborted) {
    return new BitrixError('ABORTED', `${where}: aborted before sending`, {
      ...context,
      retryable: false,
      sent: false,
    });
  }
  const limit = deadline(input.timeoutMs, input.signal);
  try {
    const response = await input.fetch(input.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: input.body,
      signal: limit.signal,
      redirect: 'error',
    });
    const text = await response.text();
    return readEnvelope(response.status, text, {
      ...context,
      now: input.now(),
      retryAfterHeader: response.headers.get('retry-after'),
    });
  } catch (cause) {
    if (input.signal?.aborted) {
      return new BitrixError('ABORTED', `${where}: aborted in flight`, {
        ...context,
        retryable: false,
        sent: true,
      });
    }
    if (limit.timedOut()) {
      return new BitrixError('TIMEOUT', `${where}: no complete answer within ${input.timeoutMs} ms`, {
        ...context,
        retryable: true,
      });
    }
    return new BitrixError(
      'NETWORK',
      `${where}: the connection failed (${describeCause(cause)})`,
      { ...context, retryable: true },
      mentionsUrl(cause, input.url) ? undefined : cause,
    );
  } finally {
    limit.dispose();
  }
}

/** A short, secret-free description of a network failure: the error code, not the URL. */
function describeCause(cause: unknown): string {
  const inner = cause instanceof Error && cause.cause instanceof Error ? cause.cause : cause;
  if (inner && typeof inner === 'object' && 'code' in inner && typeof inner.code === 'string')
    return inner.code;
  return inner instanceof Error ? inner.name : 'unknown error';
}

/** Some fetch errors quote the URL (and with it a webhook's secret): such a cause is dropped. */
function mentionsUrl(cause: unknown, url: string): boolean {
  const path = url.replace(/^[a-z]+:\/\/[^/]+/i, '');
  for (let current = cause, depth = 0; current instanceof Error && depth < 5; depth += 1) {
    if (current.message.includes(path) || current.message.includes(url)) return true;
    current = current.cause;
  }
  return false;
}
