import type { RoutingCounters } from '@baton/core/adapter';
import { portalIdSchema } from '@baton/core/adapter';
import { z } from 'zod';
import { guarded, type StoreContext } from './context.js';
import { parseInput } from './errors.js';

const rotationSchema = z.object({ portal: portalIdSchema, rotation: z.string().min(1).max(256) });
const operatorIdSchema = z.number().int().positive();
const readSchema = z.object({ portal: portalIdSchema, operatorIds: z.array(operatorIdSchema) });

function parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = parseInput(schema, value, what);
  return parsed;
}

/**
 * Routing counters on Redis: one hash of rotation positions and one of busy counts per portal.
 * Every operation is a single atomic command, so concurrent workers never lose a step. Busy
 * counts are written only by the commit script, with the chat that changes them.
 */
export function createRoutingCounters(context: StoreContext): RoutingCounters {
  const { connection, keys } = context;
  return {
    async nextInRotation(portal, rotation) {
      const input = parse(rotationSchema, { portal, rotation }, 'rotation');
      connection.assertOpen('nextInRotation');
      return guarded('nextInRotation', async () => {
        const next = await connection.client.hincrby(keys.rotations(input.portal), input.rotation, 1);
        return next - 1;
      });
    },
    async readBusy(portal, operatorIds) {
      const input = parse(readSchema, { portal, operatorIds: [...operatorIds] }, 'busy read');
      connection.assertOpen('readBusy');
      const counts = new Map<number, number>();
      if (input.operatorIds.length === 0) return counts;
      return guarded('readBusy', async () => {
        const values = await connection.client.hmget(
          keys.busy(input.portal),
          ...input.operatorIds.map(String),
        );
        input.operatorIds.forEach((id, index) => {
          counts.set(id, Number(values[index] ?? 0));
        });
        return counts;
      });
    },
  };
}
