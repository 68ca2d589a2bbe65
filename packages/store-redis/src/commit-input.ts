import type { ChatKey } from '@baton/core';
import type { Commit } from '@baton/core/adapter';
import { chatKeySchema, commitSchema } from '@baton/core/adapter';
import { z } from 'zod';
import { parseInput, RedisStoreError } from './errors.js';

/** A validated commit, with its snapshot already turned into JSON text. */
export interface ParsedCommit extends Commit {
  readonly snapshotJson: string;
}

/** Validates a commit, throwing `INVALID_INPUT` with every problem listed. */
export function parseCommit(commit: Commit): ParsedCommit {
  parseInput(commitSchema, commit, 'commit');
  let snapshotJson: string | undefined;
  try {
    snapshotJson = JSON.stringify(commit.snapshot);
  } catch (cause) {
    throw new RedisStoreError('INVALID_INPUT', 'Invalid commit: snapshot is not JSON-serialisable', {
      context: { portal: commit.key.portal, chatId: commit.key.chatId, issues: ['snapshot: not JSON'] },
      cause,
    });
  }
  if (snapshotJson === undefined) {
    throw new RedisStoreError('INVALID_INPUT', 'Invalid commit: snapshot is not JSON-serialisable', {
      context: { portal: commit.key.portal, chatId: commit.key.chatId, issues: ['snapshot: not JSON'] },
    });
  }
  return { ...commit, snapshotJson };
}

/** Validates a chat key, throwing `INVALID_INPUT`. */
export function parseChatKey(key: ChatKey): ChatKey {
  const parsed = parseInput(chatKeySchema, key, 'chat key');
  return { portal: parsed.portal, chatId: parsed.chatId };
}

/** Validates a claim limit and lease/visibility (positive integers). */
export const claimOptionsSchema = z.object({
  limit: z.number().int().positive().max(10_000),
  leaseMs: z.number().int().positive(),
});
