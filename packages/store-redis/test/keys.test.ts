import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createKeySpace, decodeRef, encodeKeyPart, encodeRef } from '../src/keys.js';

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
    const keys = createKeySpace('baton', 16);
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

  it('keeps prefixes apart and shards in their own slots', () => {
    const first = createKeySpace('a', 4);
    const second = createKeySpace('a.b', 4);
    const key = { portal: 'x', chatId: 1 };
    expect(first.chat(key).chat).not.toBe(second.chat(key).chat);
    expect(new Set([0, 1, 2, 3].map((index) => hashTag(first.shard(index).outbox))).size).toBe(4);
    expect(hashTag(first.shard(2).outbox)).toBe(hashTag(first.shard(2).timers));
    expect(first.shardOf(key)).toBe(createKeySpace('other', 4).shardOf(key));
  });

  it('round-trips index refs for any portal and id', () => {
    fc.assert(
      fc.property(portal, chatId, fc.string({ minLength: 1 }), (portalId, id, entry) => {
        expect(decodeRef(encodeRef({ portal: portalId, chatId: id }, entry))).toEqual({
          key: { portal: portalId, chatId: id },
          id: entry,
        });
      }),
    );
    expect(decodeRef('not json')).toBeUndefined();
    expect(decodeRef('[1,2,3]')).toBeUndefined();
  });
});
