import { portalIdSchema } from '../chat-key.js';
import type { RoutingCounters } from '../contracts/routing-counters.js';
import { parseInput } from './input.js';
import { busyDeltaSchema, operatorIdSchema, rotationNameSchema } from './store-schemas.js';
import type { MemoryStoreState } from './store-state.js';

/** The memory store's `RoutingCounters`, kept in the store's state. */
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

    async adjustBusy(portal, operatorId, delta) {
      assertOpen();
      const slot = busySlot(
        parseInput(portalIdSchema, portal, 'portal'),
        parseInput(operatorIdSchema, operatorId, 'operatorId'),
      );
      const count = Math.max(0, (state.busy.get(slot) ?? 0) + parseInput(busyDeltaSchema, delta, 'delta'));
      // Zero is what an absent count reads as; dropping it keeps the map from growing forever.
      if (count === 0) state.busy.delete(slot);
      else state.busy.set(slot, count);
      return count;
    },

    async readBusy(portal, operatorIds) {
      assertOpen();
      const validPortal = parseInput(portalIdSchema, portal, 'portal');
      const ids = parseInput(operatorIdSchema.array().max(10_000), operatorIds, 'operatorIds');
      return new Map(ids.map((id) => [id, state.busy.get(busySlot(validPortal, id)) ?? 0]));
    },
  };
}

function busySlot(portal: string, operatorId: number): string {
  return JSON.stringify([portal, operatorId]);
}
