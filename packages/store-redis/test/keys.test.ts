import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createKeySpace,
  decodeRef,
  decodeStateMember,
  encodeKeyPart,
  encodeRef,
  encodeStateMember,
} from '../src/keys.js';

/** The part of a key Redis Cluster hashes: the first `{…}` with something inside. */
function hashTag(key: string): string {
  const open = key.indexOf('{');
  const close = key.indexOf('}', open + 1);
  return open >= 0 && close > open + 1 ? key.slice(open + 1, close) : key;
}

const portal = fc.string({ minLength: 1, maxLength: 40, unit: 'grapheme' });
const chatId = fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER });

describe('key space', () => {
  it('encodes ids so that no separator or brace survives', () => {
    fc.assert(
      fc.property(portal, (value) => {
        expect(encodeKeyPart(value)).toMatch(/^[A-Za-z0-9_.%-]+$/);
        expect(decodeURIComponent(encodeKeyPart(value))).toBe(value);
      }),
    );
  });

  it('gives every key of a portal’s chats the hash tag of the portal’s busy counts, and different chats different keys', () => {
    const keys = createKeySpace('baton');
    fc.assert(
      fc.property(portal, chatId, portal, chatId, (portalA, chatA, portalB, chatB) => {
        const a = keys.chat({ portal: portalA, chatId: chatA });
        const b = keys.chat({ portal: portalB, chatId: chatB });
        const tags = new Set([...Object.values(a), keys.busy(portalA)].map(hashTag));
        expect(tags.size).toBe(1);
        const same = portalA === portalB && chatA === chatB;
        expect(a.chat === b.chat).toBe(same);
        expect(hashTag(a.chat) === hashTag(b.chat)).toBe(portalA === portalB);
      }),
    );
  });

  it('keeps prefixes apart and puts a portal’s indexes on the slot of its chats', () => {
    const first = createKeySpace('a');
    const second = createKeySpace('a.b');
    const key = { portal: 'b24-acme.bitrix24.ru', chatId: 1_040_377 };
    expect(first.chat(key).chat).not.toBe(second.chat(key).chat);
    const indexes = first.indexes(key.portal);
    expect(new Set([...Object.values(indexes), first.chat(key).chat].map(hashTag)).size).toBe(1);
    expect(hashTag(first.indexes('b24-other.bitrix24.ru').outbox)).not.toBe(hashTag(indexes.outbox));
  });

  it('round-trips index refs and state members for any id', () => {
    fc.assert(
      fc.property(portal, chatId, fc.string({ minLength: 1 }), (portalId, id, entry) => {
        expect(decodeRef(portalId, encodeRef(id, entry))).toEqual({
          key: { portal: portalId, chatId: id },
          id: entry,
        });
        expect(decodeStateMember(encodeStateMember(id, entry))).toEqual({ chatId: id, state: entry });
      }),
    );
    expect(decodeRef('p', 'not a ref')).toBeUndefined();
    expect(decodeRef('p', '0:x')).toBeUndefined();
    expect(decodeRef('p', '12:')).toBeUndefined();
    expect(decodeStateMember('x:bot')).toBeUndefined();
  });
});
