import { isBatonError } from '../errors.js';
import type { ChatUnreadablePayload } from './engine-events.js';

/** Why an error means the chat could not be read back, or `null` when it means something else. */
export function unreadableReason(error: unknown): Omit<ChatUnreadablePayload, 'key'> | null {
  if (isBatonError(error, 'CORRUPT_SNAPSHOT') || isBatonError(error, 'SNAPSHOT_FROM_NEWER_VERSION')) {
    return { code: error.code as ChatUnreadablePayload['code'], message: error.message };
  }
  return null;
}
