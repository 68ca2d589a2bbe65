import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** The outcome of one delivery attempt, as a value. */
export type PostOutcome = { readonly status: number } | { readonly error: string };

/**
 * POSTs a form body and reads the answer to the end. No connection pooling (`agent: false`):
 * a handler server under test can close without waiting for idle keep-alive sockets.
 */
export function postForm(
  url: string,
  body: string,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<PostOutcome> {
  return new Promise((resolve) => {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      resolve({ error: 'INVALID_URL' });
      return;
    }
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(
      target,
      {
        method: 'POST',
        agent: false,
        signal,
        timeout: timeoutMs,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': Buffer.byteLength(body),
          'user-agent': 'Bitrix24 Webhook Engine',
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
        res.on('error', (error) => resolve({ error: error.message }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('TIMEOUT')));
    req.on('error', (error) => resolve({ error: error.message }));
    req.end(body);
  });
}
