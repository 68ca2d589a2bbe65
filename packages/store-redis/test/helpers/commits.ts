import type { ChatKey, Commit, EffectEntry, TimerEntry } from '@baton/core';

/** A commit with sensible defaults; `extra` overrides any field. */
export function commitFor(
  key: ChatKey,
  expectedVersion: number,
  eventId: string,
  extra: Partial<Omit<Commit, 'key' | 'expectedVersion' | 'eventId'>> = {},
): Commit {
  return {
    key,
    expectedVersion,
    eventId,
    snapshot: { value: 'bot', context: { step: expectedVersion + 1 } },
    summary: { state: 'bot', stateSince: 1_700_000_000_000 },
    effects: [],
    timersToSet: [],
    timersToCancel: [],
    ...extra,
  };
}

export function effectFor(key: ChatKey, id: string): EffectEntry {
  return { id, key, call: { kind: 'sendBotMessage', text: `message ${id}` } };
}

export function timerFor(key: ChatKey, id: string, delayMs: number): TimerEntry {
  return { id, key, delayMs };
}
