import { z } from 'zod';
import type { Clock } from '../contracts/clock.js';
import { invalidInput } from '../errors.js';
import type { PlanStep } from '../events.js';
import { isWithinWorkingHours, type WorkingHours, workingHoursSchema } from './working-hours.js';

/**
 * Why a plan step was skipped without being tried: its line is out of working hours, its
 * operator is away, or its operator already holds their `maxChats` chats.
 */
export type SkipReason = 'out-of-hours' | 'operator-unavailable' | 'at-capacity';

/** Where the engine learns when lines work and who is at work (e.g. `@baton/transport-http`'s `createPlatformAvailability`). */
export interface AvailabilitySource {
  /** A line's working hours (`imopenlines.config.get`); `null` when the line has none to go by. */
  lineHours?(portal: string, lineId: number): Promise<WorkingHours | null>;
  /** Whether a user is at work now (`timeman.status`, or presence). */
  isUserAvailable?(portal: string, userId: number): Promise<boolean>;
}

/**
 * When plan steps are skipped: a queue step (an Open Line, its `queueId` the line's id) outside
 * its line's working hours, and — with `checkOperators` — a user step whose operator is not at
 * work. Skips are decided once, in the commit that starts the step.
 */
export interface AvailabilityOptions {
  /** Working hours by line id, given in code; a line named here is never read from `source`. */
  readonly workingHours?: Readonly<Record<number, WorkingHours>>;
  /** Reads the hours of other lines and operators' status from the platform. */
  readonly source?: AvailabilitySource;
  /** Skip a user step whose operator `source.isUserAvailable` says is not at work. @defaultValue `false` */
  readonly checkOperators?: boolean;
  /** How long a line's hours and an operator's status are reused. @defaultValue `60_000` */
  readonly cacheTtlMs?: number;
}

export const availabilityOptionsSchema = z.object({
  workingHours: z.record(z.string().regex(/^\d+$/, 'expected a line id'), workingHoursSchema).optional(),
  source: z
    .custom<AvailabilitySource>((value) => typeof value === 'object' && value !== null, {
      message: 'expected an object with lineHours and/or isUserAvailable',
    })
    .optional(),
  checkOperators: z.boolean().optional(),
  cacheTtlMs: z.number().int().min(0).max(86_400_000).optional(),
});

/** Skips by plan step index. */
export type StepSkips = Readonly<Record<number, SkipReason>>;

/** Decides which steps of a plan, from `from` on, cannot succeed now. */
export type AvailabilityCheck = (
  portal: string,
  plan: readonly PlanStep[],
  from: number,
) => Promise<StepSkips>;

/**
 * Builds the check, with its cache. A source that fails counts as "available": a step is
 * skipped only on what is known, and the failure is reported.
 */
export function createAvailabilityCheck(
  options: AvailabilityOptions,
  clock: Clock,
  reportError: (error: unknown) => void,
): AvailabilityCheck {
  const parsed = availabilityOptionsSchema.safeParse(options);
  if (!parsed.success) throw invalidInput('availability options', parsed.error);
  const ttl = options.cacheTtlMs ?? 60_000;
  const cache = new Map<string, { value: unknown; until: number }>();

  async function cached<T>(key: string, read: () => Promise<T>): Promise<T> {
    const hit = cache.get(key);
    if (hit !== undefined && hit.until > clock.now()) return hit.value as T;
    const value = await read();
    if (cache.size >= 10_000) cache.delete(cache.keys().next().value ?? '');
    cache.set(key, { value, until: clock.now() + ttl });
    return value;
  }

  async function hoursOf(portal: string, lineId: number): Promise<WorkingHours | null> {
    const given = options.workingHours?.[lineId];
    if (given !== undefined) return given;
    const read = options.source?.lineHours;
    if (read === undefined) return null;
    return cached(`line\u0000${portal}\u0000${lineId}`, () => read.call(options.source, portal, lineId));
  }

  async function skipOf(portal: string, step: PlanStep): Promise<SkipReason | null> {
    try {
      if (step.target.kind === 'queue') {
        const hours = await hoursOf(portal, step.target.queueId);
        return hours !== null && !isWithinWorkingHours(hours, clock.now()) ? 'out-of-hours' : null;
      }
      const read = options.source?.isUserAvailable;
      if (options.checkOperators !== true || read === undefined) return null;
      const { userId } = step.target;
      const available = await cached(`user\u0000${portal}\u0000${userId}`, () =>
        read.call(options.source, portal, userId),
      );
      return available ? null : 'operator-unavailable';
    } catch (error) {
      reportError(error);
      return null;
    }
  }

  return async (portal, plan, from) => {
    const skips: Record<number, SkipReason> = {};
    for (let index = from; index < plan.length; index += 1) {
      const step = plan[index];
      const reason = step === undefined ? null : await skipOf(portal, step);
      if (reason !== null) skips[index] = reason;
    }
    return skips;
  };
}
