/** Longest `CHAT_ENTITY_DATA_1` / `entityData1` read; the platform's column is far shorter. */
export const maxEntityDataLength = 1_000;

/**
 * Reads the Open Lines session id from `CHAT_ENTITY_DATA_1` (v2 `chat.entityData1`): a
 * `|`-separated string whose sixth field (index 5) is the session id, e.g.
 * `Y|DEAL|4711|N|N|204816|1678008993|0|0|0` → `204816`. Anything else (an empty string, a
 * non-Lines chat, a `0`) is "no session id".
 */
export function readSessionId(entityData1: string | undefined): number | undefined {
  if (entityData1 === undefined) return undefined;
  const field = entityData1.split('|', 7)[5];
  if (field === undefined || !/^\d{1,15}$/.test(field)) return undefined;
  const value = Number(field);
  return value > 0 ? value : undefined;
}

/** A chat id from a dialog id: `chat1157` → `1157`; a user dialog (`27`) is not a chat. */
export function chatIdFromDialogId(dialogId: string | undefined): number | undefined {
  const match = dialogId === undefined ? null : /^chat(\d{1,15})$/.exec(dialogId);
  if (!match?.[1]) return undefined;
  const value = Number(match[1]);
  return value > 0 ? value : undefined;
}
