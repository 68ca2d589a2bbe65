import { BitrixError } from '../errors.js';
import { nestFlatForm, parseForm as parsePhpForm } from './php-form.js';

/** Limits on an inbound body, so that a hostile payload cannot exhaust memory or CPU. */
export interface BodyLimits {
  /**
   * Largest accepted body, in bytes.
   * @defaultValue 1_048_576
   */
  readonly maxBytes: number;
  /**
   * Deepest PHP-style key nesting that is split into nested objects
   * (`data[BOT][571][AUTH][access_token]` is 4; the documented events nest to 5, attachments and
   * keyboards in `data[PARAMS][PARAMS]` deeper). A key nested deeper is not an error: the rest of
   * it is kept as one literal key at that depth, so a deep field the engine never reads cannot
   * drop the event.
   * @defaultValue 20
   */
  readonly maxDepth: number;
  /**
   * Most form fields.
   * @defaultValue 1_000
   */
  readonly maxKeys: number;
}

/** The defaults: 1 MiB, depth 20, 1 000 fields. */
export const defaultBodyLimits: BodyLimits = { maxBytes: 1_048_576, maxDepth: 20, maxKeys: 1_000 };

/** A raw body: bytes or text as received, or an object a framework already parsed. */
export type InboundBody = string | Uint8Array | Readonly<Record<string, unknown>>;

const invalid = (message: string) => new BitrixError('INVALID_PAYLOAD', message, { status: 400 });

/**
 * Turns a form-encoded (PHP-style nested keys) or JSON body into a plain object. Throws a
 * `BitrixError` (`PAYLOAD_TOO_LARGE`, `UNSUPPORTED_MEDIA_TYPE`, `INVALID_PAYLOAD`) for anything
 * else; never returns prototype-polluting keys.
 */
export function parseInboundBody(
  body: InboundBody,
  contentType: string | undefined,
  limits: BodyLimits = defaultBodyLimits,
): Record<string, unknown> {
  if (typeof body === 'object' && !(body instanceof Uint8Array)) {
    if (body === null || Array.isArray(body)) throw invalid('The payload is not an object');
    // A flat form parser (Express 5's `urlencoded()`, Fastify's formbody) leaves PHP-style keys
    // as they are (`auth[member_id]`): nest them the way the platform meant, within the limits.
    if (Object.keys(body).some((key) => key.includes('['))) {
      return withinFieldLimit(() => nestFlatForm(body, limits));
    }
    return body as Record<string, unknown>;
  }
  const size = typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
  if (size > limits.maxBytes) {
    throw new BitrixError(
      'PAYLOAD_TOO_LARGE',
      `The payload has ${size} bytes; the limit is ${limits.maxBytes}`,
      {
        status: 413,
      },
    );
  }
  const text = typeof body === 'string' ? body : Buffer.from(body).toString('utf8');
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (type === 'application/json' || (type === '' && text.trimStart().startsWith('{')))
    return parseJson(text);
  if (type === 'application/x-www-form-urlencoded' || type === '') return parseForm(text, limits);
  throw new BitrixError(
    'UNSUPPORTED_MEDIA_TYPE',
    `Content type ${JSON.stringify(type.slice(0, 100))} is not accepted`,
    {
      status: 415,
    },
  );
}

function parseJson(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // No cause: a JSON syntax error quotes a piece of the body, which may hold the token.
    throw invalid('The payload is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw invalid('The payload is not a JSON object');
  return value as Record<string, unknown>;
}

function parseForm(text: string, limits: BodyLimits): Record<string, unknown> {
  return withinFieldLimit(() => parsePhpForm(text, limits));
}

function withinFieldLimit(parse: () => Record<string, unknown>): Record<string, unknown> {
  try {
    return parse();
  } catch (cause) {
    throw Object.assign(invalid('The form payload exceeds the field limit, or is malformed'), {
      cause,
    });
  }
}
