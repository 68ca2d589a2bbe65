/**
 * The platform's PHP-style form encoding (`data[PARAMS][MESSAGE]=…`), read the way PHP reads it,
 * within limits. Own code rather than a query-string library: it has no CommonJS dependencies, so
 * an ESM bundle of a bot starts, and it does exactly what an event body needs.
 */

/** A parsed form: nested objects with string leaves, never arrays. */
export interface FormObject {
  [key: string]: string | FormObject;
}

/** Limits for one form. */
export interface FormLimits {
  /** Bracket groups split into nested objects; the rest of a deeper key stays one literal key. */
  readonly maxDepth: number;
  /** Most fields; more is a `RangeError`. */
  readonly maxKeys: number;
}

// Keys that could reach an object's prototype if the result were ever copied with assignment.
const forbiddenKeys = new Set(['__proto__']);

const newObject = (): FormObject => Object.create(null) as FormObject;

/** `+` is a space; a malformed escape is kept as written, as PHP does. */
function decode(text: string): string {
  const spaced = text.includes('+') ? text.replace(/\+/g, ' ') : text;
  if (!spaced.includes('%')) return spaced;
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced;
  }
}

/**
 * Splits `a[b][c]` into `['a', 'b', 'c']`: the name before the first `[`, then up to `maxDepth`
 * bracket groups (nested brackets balanced); whatever follows is one literal last segment.
 */
export function splitFormKey(key: string, maxDepth: number): string[] {
  const first = key.indexOf('[');
  const segments: string[] = [];
  const parent = first === -1 ? key : key.slice(0, first);
  if (parent !== '') segments.push(parent);
  let open = first;
  while (open !== -1 && segments.length - (parent === '' ? 0 : 1) < maxDepth) {
    let level = 0;
    let close = -1;
    for (let index = open; index < key.length && close === -1; index += 1) {
      if (key[index] === '[') level += 1;
      else if (key[index] === ']') {
        level -= 1;
        if (level === 0) close = index;
      }
    }
    if (close === -1) {
      // An unterminated group stays one literal segment: no closing bracket is guessed.
      segments.push(key.slice(open));
      return segments;
    }
    segments.push(key.slice(open + 1, close));
    open = key.indexOf('[', close + 1);
  }
  if (open !== -1) segments.push(key.slice(open));
  return segments;
}

/** Sets `value` at `path`; a later field wins over an earlier one at any level, as in PHP. */
function assign(target: FormObject, path: readonly string[], value: string): void {
  if (path.some((segment) => forbiddenKeys.has(segment))) return;
  let node = target;
  for (let index = 0; index < path.length; index += 1) {
    let segment = path[index] as string;
    // `a[]` appends: the next integer key of that object, never an array.
    if (segment === '') segment = String(nextIndex(node));
    if (index === path.length - 1) {
      node[segment] = value;
      return;
    }
    const child = node[segment];
    if (typeof child === 'object') node = child;
    else {
      const created = newObject();
      node[segment] = created;
      node = created;
    }
  }
}

function nextIndex(node: FormObject): number {
  let next = 0;
  for (const key of Object.keys(node)) {
    if (/^(0|[1-9]\d*)$/.test(key)) next = Math.max(next, Number(key) + 1);
  }
  return next;
}

/**
 * Parses a form body. Numeric keys are object keys, never array indexes: `data[BOT][1048576]`
 * names a bot, and an index-based parser either rejects a real id or allocates up to it. A repeated
 * field keeps its last value. Throws a `RangeError` past `maxKeys` fields.
 */
export function parseForm(text: string, limits: FormLimits): FormObject {
  // Encoded brackets are brackets: a key written `data%5BBOT%5D` is `data[BOT]`.
  const parts = text
    .replace(/%5B/gi, '[')
    .replace(/%5D/gi, ']')
    .split('&', limits.maxKeys + 1);
  if (parts.length > limits.maxKeys) throw new RangeError(`More than ${limits.maxKeys} form fields`);
  const result = newObject();
  for (const part of parts) {
    if (part === '') continue;
    // `a[x=y]=1` keeps `x=y` in the key: the value starts after the first `]=` when there is one.
    const bracketEquals = part.indexOf(']=');
    const equals = bracketEquals === -1 ? part.indexOf('=') : bracketEquals + 1;
    const rawKey = equals === -1 ? part : part.slice(0, equals);
    const key = decode(rawKey);
    if (key === '') continue;
    const value = equals === -1 ? '' : decode(part.slice(equals + 1));
    assign(result, splitFormKey(key, limits.maxDepth), value);
  }
  return result;
}

/**
 * Nests the flat fields a framework's form parser left (`{ 'auth[member_id]': '…' }`) the way
 * `parseForm` would have; scalar leaves become strings, `null` an empty string.
 */
export function nestFlatForm(fields: Readonly<Record<string, unknown>>, limits: FormLimits): FormObject {
  const leaves: Array<readonly [string, string]> = [];
  const collect = (key: string, value: unknown): void => {
    if (value === undefined) return;
    if (value !== null && typeof value === 'object') {
      for (const [child, nested] of Object.entries(value)) collect(`${key}[${child}]`, nested);
      return;
    }
    leaves.push([key, value === null ? '' : String(value)]);
    if (leaves.length > limits.maxKeys) throw new RangeError(`More than ${limits.maxKeys} form fields`);
  };
  for (const [key, value] of Object.entries(fields)) collect(key, value);
  const result = newObject();
  for (const [key, value] of leaves) {
    if (key !== '') assign(result, splitFormKey(key, limits.maxDepth), value);
  }
  return result;
}

// A lone surrogate cannot be UTF-8 encoded (encodeURIComponent throws): it is sent as U+FFFD.
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

// encodeURIComponent leaves `!'()*` as they are; RFC 3986 reserves them.
const encodeValue = (value: string): string =>
  encodeURIComponent(value.replace(loneSurrogate, '\uFFFD')).replace(
    /[!'()*]/g,
    (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`,
  );

/**
 * Form-encodes nested values PHP-style (`FIELDS[NAME]=…`, lists by index); keys are written as
 * they are, values percent-encoded; `undefined` is left out, `null` sent empty.
 */
export function stringifyForm(values: Readonly<Record<string, unknown>>): string {
  const parts: string[] = [];
  const append = (key: string, value: unknown): void => {
    if (value === undefined) return;
    if (value === null) {
      parts.push(`${key}=`);
      return;
    }
    if (typeof value === 'object') {
      for (const [child, nested] of Object.entries(value)) append(`${key}[${child}]`, nested);
      return;
    }
    parts.push(`${key}=${encodeValue(String(value))}`);
  };
  for (const [key, value] of Object.entries(values)) append(key, value);
  return parts.join('&');
}
