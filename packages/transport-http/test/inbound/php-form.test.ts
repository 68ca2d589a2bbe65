import fc from 'fast-check';
import { parse, stringify } from 'qs';
import { describe, expect, it } from 'vitest';
import { nestFlatForm, parseForm, splitFormKey, stringifyForm } from '../../src/inbound/php-form.js';

const limits = { maxDepth: 20, maxKeys: 1_000 };

describe('the PHP-style form codec', () => {
  it('nests an event body, numeric keys as object keys', () => {
    const body =
      'event=ONIMBOTMESSAGEADD&data%5BBOT%5D%5B1048576%5D%5BBOT_ID%5D=1048576' +
      '&data[PARAMS][MESSAGE]=Hello+there%21&data[PARAMS][CHAT_ID]=2841067&auth[member_id]=a1b2c3d4e5f6';
    expect(parseForm(body, limits)).toEqual({
      event: 'ONIMBOTMESSAGEADD',
      data: {
        BOT: { '1048576': { BOT_ID: '1048576' } },
        PARAMS: { MESSAGE: 'Hello there!', CHAT_ID: '2841067' },
      },
      auth: { member_id: 'a1b2c3d4e5f6' },
    });
  });

  it('keeps a key deeper than the limit as one literal key at that depth', () => {
    expect(splitFormKey('a[b][c][d]', 2)).toEqual(['a', 'b', 'c', '[d]']);
    expect(parseForm('a[b][c][d]=1', { maxDepth: 2, maxKeys: 10 })).toEqual({
      a: { b: { c: { '[d]': '1' } } },
    });
    const deep = `x${'[k]'.repeat(25)}=v`;
    let node: unknown = parseForm(deep, limits).x;
    for (let level = 1; level < 20; level += 1) node = (node as Record<string, unknown>).k;
    expect(node).toEqual({ k: { '[k][k][k][k][k]': 'v' } });
  });

  it('refuses more fields than the limit and counts a framework-parsed body the same way', () => {
    const fields = Array.from({ length: 11 }, (_, index) => `f${index}=1`).join('&');
    expect(() => parseForm(fields, { maxDepth: 20, maxKeys: 10 })).toThrow(RangeError);
    expect(parseForm(fields, { maxDepth: 20, maxKeys: 11 })).toHaveProperty('f10', '1');
    const flat = Object.fromEntries(Array.from({ length: 11 }, (_, index) => [`data[F${index}]`, 'x']));
    expect(() => nestFlatForm(flat, { maxDepth: 20, maxKeys: 10 })).toThrow(RangeError);
  });

  it('never reaches a prototype and lets the last field win, as PHP does', () => {
    const parsed = parseForm('__proto__[polluted]=1&a[__proto__][x]=1&a[b]=1&a[b]=2&c=1&c[d]=2', limits);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(parsed).toEqual({ a: { b: '2' }, c: { d: '2' } });
    expect(parseForm('a[]=x&a[]=y&b=%zz', limits)).toEqual({ a: { '0': 'x', '1': 'y' }, b: '%zz' });
  });

  it('nests the flat fields a framework parser left', () => {
    expect(
      nestFlatForm({ 'auth[member_id]': 'a1b2c3', 'data[PARAMS][CHAT_ID]': 2841067, n: null }, limits),
    ).toEqual({
      auth: { member_id: 'a1b2c3' },
      data: { PARAMS: { CHAT_ID: '2841067' } },
      n: '',
    });
  });

  it('reads what a PHP-style encoder writes, as qs does', () => {
    // Keys without brackets or `=`, as a platform's field names are; values anything.
    const key = fc.stringMatching(/^[A-Za-z0-9_]{1,8}$/);
    const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: 'small' },
        fc.string(),
        fc.integer().map(String),
        fc.dictionary(key, tie('node'), { minKeys: 1, maxKeys: 4 }),
      ),
    })).node;
    fc.assert(
      fc.property(fc.dictionary(key, value, { minKeys: 1, maxKeys: 5 }), (form) => {
        const text = stringify(form, { encodeValuesOnly: true });
        const expected = parse(text, { depth: 20, parseArrays: false, plainObjects: true });
        expect(parseForm(text, limits)).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('writes REST parameters as qs wrote them: lists by index, null empty, undefined left out', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 3 })), (params) => {
        expect(stringifyForm(params)).toBe(
          stringify(params, { arrayFormat: 'indices', encodeValuesOnly: true, skipNulls: false }),
        );
      }),
      { numRuns: 300 },
    );
    expect(
      stringifyForm({ FIELDS: { NAME: "Anna (O'Neil)!", TAGS: ['a b', 'c'] }, SKIP: undefined, EMPTY: null }),
    ).toBe('FIELDS[NAME]=Anna%20%28O%27Neil%29%21&FIELDS[TAGS][0]=a%20b&FIELDS[TAGS][1]=c&EMPTY=');
  });
});
