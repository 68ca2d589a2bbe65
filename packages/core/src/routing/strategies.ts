import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { TransferTarget } from '../contracts/effects.js';
import { invalidInput } from '../errors.js';
import { leaveSchema, type PlanStep, planStepSchema, transferTargetSchema } from '../events.js';
import type { RoutingStrategy, RoutingTools, StepDefaults } from './types.js';

/** Per-strategy overrides of the step defaults. */
export interface StepOptions {
  /** `true` or `'Y'` sends `LEAVE=Y`. @defaultValue the engine's `defaults.leave` */
  readonly leave?: boolean | 'Y' | 'N';
  readonly confirmationTimeoutMs?: number;
}

/** Options of a pool strategy. */
export interface PoolOptions extends StepOptions {
  /** How many operators of the pool the plan tries, in order. @defaultValue the whole pool */
  readonly attempts?: number;
  /** The name of the shared rotation (round-robin only). @defaultValue the pool's ids joined */
  readonly rotation?: string;
  /**
   * Most chats an operator holds at once (offered or answered): one number for the pool, or by
   * operator id (operators not named have no limit). An operator whose busy count has reached it
   * is left out of the plan (kept only when every one of the pool has, so that the hand-over fails
   * as `no-one-available`); each step carries its operator's limit, which the commit offering the
   * chat enforces atomically (a step whose operator filled up meanwhile is skipped as `at-capacity`).
   * @defaultValue no limit
   */
  readonly maxChats?: number | Readonly<Record<number, number>>;
}

/** Step options after validation: LEAVE read as a boolean. */
type CheckedStepOptions = { readonly leave?: boolean; readonly confirmationTimeoutMs?: number };

const stepOptionsSchema = z.object({
  leave: leaveSchema.optional(),
  confirmationTimeoutMs: planStepSchema.shape.confirmationTimeoutMs.optional(),
});
const poolSchema = z.array(z.number().int().positive()).min(1).max(1_000);
const maxChatsSchema = z.number().int().positive().max(10_000);
const poolOptionsSchema = stepOptionsSchema.extend({
  attempts: z.number().int().positive().optional(),
  rotation: z.string().min(1).max(200).optional(),
  maxChats: z.union([maxChatsSchema, z.record(z.string().regex(/^\d+$/), maxChatsSchema)]).optional(),
});

function parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw invalidInput(what, parsed.error);
  return parsed.data;
}

function step(
  target: TransferTarget,
  options: CheckedStepOptions,
  defaults: StepDefaults,
  maxChats = Number.POSITIVE_INFINITY,
): PlanStep {
  return {
    target,
    leave: options.leave ?? defaults.leave,
    confirmationTimeoutMs: options.confirmationTimeoutMs ?? defaults.confirmationTimeoutMs,
    ...(Number.isFinite(maxChats) ? { maxChats } : {}),
  };
}

/**
 * Always the same target.
 * @example `fixedTarget({ kind: 'user', userId: 7 }, { leave: false })`
 */
export function fixedTarget(target: TransferTarget, options: StepOptions = {}): RoutingStrategy {
  const checkedTarget = parse(transferTargetSchema, target, 'fixedTarget target');
  const checked = parse(stepOptionsSchema, options, 'fixedTarget options') as CheckedStepOptions;
  return {
    name: `fixed(${checkedTarget.kind === 'user' ? `user ${checkedTarget.userId}` : `queue ${checkedTarget.queueId}`})`,
    plan: async (_request, { defaults }) => [step(checkedTarget, checked, defaults)],
  };
}

/** A queue to fall back to, usually the last step of a plan. */
export function fallbackQueue(queueId: number, options: Omit<StepOptions, 'leave'> = {}): RoutingStrategy {
  return { ...fixedTarget({ kind: 'queue', queueId }, options), name: `fallbackQueue(${queueId})` };
}

/**
 * Rotates through a pool of operators; every worker shares one rotation through the store. The
 * plan starts at the next operator in turn and continues through the pool.
 */
export function roundRobin(operatorIds: readonly number[], options: PoolOptions = {}): RoutingStrategy {
  const pool = parse(poolSchema, operatorIds, 'roundRobin pool');
  const checked = parse(poolOptionsSchema, options, 'roundRobin options') as CheckedStepOptions &
    Pick<PoolOptions, 'attempts' | 'rotation' | 'maxChats'>;
  const rotation = checked.rotation ?? defaultRotationName(pool);
  const attempts = Math.min(checked.attempts ?? pool.length, pool.length);
  return {
    name: `roundRobin(${rotation})`,
    async plan(request, { counters, defaults }) {
      const start = (await counters.nextInRotation(request.key.portal, rotation)) % pool.length;
      const inTurn = Array.from(
        { length: pool.length },
        (_, offset) => pool[(start + offset) % pool.length] as number,
      );
      const open = await withCapacity(inTurn, checked.maxChats, request.key.portal, counters);
      return open
        .slice(0, attempts)
        .map((userId) =>
          step({ kind: 'user', userId }, checked, defaults, limitOf(checked.maxChats, userId)),
        );
    },
  };
}

/** Tries the pool's operators from the least busy (fewest chats held, counted in the store) up. */
export function leastBusy(
  operatorIds: readonly number[],
  options: Omit<PoolOptions, 'rotation'> = {},
): RoutingStrategy {
  const pool = parse(poolSchema, operatorIds, 'leastBusy pool');
  const checked = parse(poolOptionsSchema, options, 'leastBusy options') as CheckedStepOptions &
    Pick<PoolOptions, 'attempts' | 'rotation' | 'maxChats'>;
  const attempts = Math.min(checked.attempts ?? pool.length, pool.length);
  return {
    name: `leastBusy(${pool.join(',')})`,
    async plan(request, { counters, defaults }) {
      const busy = await counters.readBusy(request.key.portal, pool);
      const ranked = pool
        .map((userId, order) => ({ userId, order, load: busy.get(userId) ?? 0 }))
        .sort((a, b) => a.load - b.load || a.order - b.order);
      const open = ranked.filter(({ userId, load }) => load < limitOf(checked.maxChats, userId));
      return (open.length > 0 ? open : ranked)
        .slice(0, attempts)
        .map(({ userId }) =>
          step({ kind: 'user', userId }, checked, defaults, limitOf(checked.maxChats, userId)),
        );
    },
  };
}

/** An operator's limit of concurrent chats (`Infinity`: none). */
function limitOf(maxChats: PoolOptions['maxChats'], userId: number): number {
  if (maxChats === undefined) return Number.POSITIVE_INFINITY;
  if (typeof maxChats === 'number') return maxChats;
  return maxChats[userId] ?? Number.POSITIVE_INFINITY;
}

/**
 * The operators, in order, whose busy count is below their limit (no read without a limit); all
 * of them when none is, so that the commit skips each as `at-capacity` and the hand-over fails as
 * `no-one-available` rather than with an empty plan.
 */
async function withCapacity(
  operatorIds: readonly number[],
  maxChats: PoolOptions['maxChats'],
  portal: string,
  counters: RoutingTools['counters'],
): Promise<number[]> {
  if (maxChats === undefined) return [...operatorIds];
  const busy = await counters.readBusy(portal, operatorIds);
  const open = operatorIds.filter((userId) => (busy.get(userId) ?? 0) < limitOf(maxChats, userId));
  return open.length > 0 ? open : [...operatorIds];
}

/** A short, stable name for a pool's rotation: the same ids in the same order share one rotation. */
function defaultRotationName(pool: readonly number[]): string {
  return `pool:${createHash('sha256').update(pool.join(',')).digest('hex').slice(0, 32)}`;
}
