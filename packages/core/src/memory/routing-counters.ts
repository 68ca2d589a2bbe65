import { portalIdSchema } from '../chat-key.js';
import type { BusyCorrection, BusyRepairReport, RoutingCounters } from '../contracts/routing-counters.js';
import { parseInput } from './input.js';
import { operatorIdSchema, rotationNameSchema } from './store-schemas.js';
import { busySlot, type MemoryStoreState } from './store-state.js';

/** The memory store's `RoutingCounters`, kept in the store's state. Busy counts change only in commits. */
export function createRoutingCounterMethods(
  state: MemoryStoreState,
  assertOpen: () => void,
): RoutingCounters {
  return {
    async nextInRotation(portal, rotation) {
      assertOpen();
      const slot = JSON.stringify([
        parseInput(portalIdSchema, portal, 'portal'),
        parseInput(rotationNameSchema, rotation, 'rotation'),
      ]);
      const position = state.rotations.get(slot) ?? 0;
      state.rotations.set(slot, position + 1);
      return position;
    },

    async readBusy(portal, operatorIds) {
      assertOpen();
      const validPortal = parseInput(portalIdSchema, portal, 'portal');
      const ids = parseInput(operatorIdSchema.array().max(10_000), operatorIds, 'operatorIds');
      return new Map(ids.map((id) => [id, state.busy.get(busySlot(validPortal, id)) ?? 0]));
    },
  };
}

/**
 * Recomputes busy counts from the chats' holders (of one portal, or of all) and rewrites the
 * ones that differ. Runs without awaiting, so no commit interleaves.
 */
export function repairBusyCounts(state: MemoryStoreState, portal: string | undefined): BusyRepairReport {
  const held = new Map<string, { portal: string; operatorId: number; count: number }>();
  let chats = 0;
  for (const chat of state.chats.values()) {
    if (portal !== undefined && chat.key.portal !== portal) continue;
    chats += 1;
    const holder = chat.summary.holder;
    if (holder === undefined) continue;
    const slot = busySlot(chat.key.portal, holder);
    const entry = held.get(slot) ?? { portal: chat.key.portal, operatorId: holder, count: 0 };
    entry.count += 1;
    held.set(slot, entry);
  }
  const corrected: BusyCorrection[] = [];
  for (const [slot, count] of [...state.busy]) {
    const [countPortal, operatorId] = JSON.parse(slot) as [string, number];
    if (portal !== undefined && countPortal !== portal) continue;
    const now = held.get(slot)?.count ?? 0;
    if (now === count) continue;
    corrected.push({ portal: countPortal, operatorId, was: count, now });
    if (now === 0) state.busy.delete(slot);
    else state.busy.set(slot, now);
  }
  for (const [slot, entry] of held) {
    if (state.busy.has(slot)) continue;
    corrected.push({ portal: entry.portal, operatorId: entry.operatorId, was: 0, now: entry.count });
    state.busy.set(slot, entry.count);
  }
  return { chats, corrected };
}
