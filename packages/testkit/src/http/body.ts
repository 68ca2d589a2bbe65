import type { IncomingMessage } from 'node:http';
import qs from 'qs';
import { PlatformError } from './platform-error.js';

const maxBodyBytes = 1024 * 1024;

export function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBodyBytes) {
        reject(new PlatformError(413, 'REQUEST_TOO_LARGE', 'The request body is too large'));
        request.resume();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function parseForm(text: string): Record<string, unknown> {
  // PHP keeps `a[5]` as key 5; qs would compact it into a one-element array.
  return qs.parse(text, { depth: 10, parseArrays: false, parameterLimit: 10_000 }) as Record<string, unknown>;
}

/**
 * The call's parameters: the query string, then the body (JSON or PHP-style form) on top, as the
 * platform accepts both. A body that does not parse is a 400, never a crash.
 */
export function parseParams(
  query: string,
  body: string,
  contentType: string | undefined,
): Record<string, unknown> {
  const params = parseForm(query);
  if (body.trim() === '') return params;
  if ((contentType ?? '').toLowerCase().includes('json')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      throw new PlatformError(400, 'INVALID_REQUEST', 'The request body is not valid JSON');
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new PlatformError(400, 'INVALID_REQUEST', 'The request body must be a JSON object');
    }
    return { ...params, ...(parsed as Record<string, unknown>) };
  }
  return { ...params, ...parseForm(body) };
}
