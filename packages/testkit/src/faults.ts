import { z } from 'zod';
import { parseInput } from './errors.js';

/**
 * What a fault does:
 * - `latency`: wait `ms` before handling the request normally;
 * - `status`: answer `status` (default 500) with the error envelope, without running the method;
 * - `reset`: destroy the connection without an answer;
 * - `hang`: never answer (until the client gives up or the emulator closes);
 * - `html`: answer an HTML page (default status 503) instead of JSON;
 * - `duplicateEvents`: deliver each matching webhook event twice, or make `imbot.v2.Event.get`
 *   ignore the acknowledging `offset` so the same events come back (at-least-once delivery).
 */
export type FaultKind = 'latency' | 'status' | 'reset' | 'hang' | 'html' | 'duplicateEvents';

/** A fault to inject. */
export interface FaultSpec {
  /**
   * The REST method (e.g. `imopenlines.bot.session.transfer`), `oauth.token` for the OAuth
   * refresh endpoint, or, for `duplicateEvents`, the event type (e.g. `ONIMBOTMESSAGEADD`) or
   * `imbot.v2.Event.get`. Case-insensitive. Omitted: every method, the refresh endpoint and every
   * event.
   */
  readonly method?: string;
  /** Only requests of this portal (`memberId`). Omitted: every portal. */
  readonly portal?: string;
  readonly kind: FaultKind;
  /** For `latency`: the delay. */
  readonly ms?: number;
  /** For `status` and `html`: the HTTP status. @defaultValue 500 for `status`, 503 for `html` */
  readonly status?: number;
  /** For `status`: the error code in the envelope. @defaultValue by status, e.g. `INTERNAL_SERVER_ERROR` */
  readonly error?: string;
  /** How many requests it affects before it removes itself. @defaultValue unlimited */
  readonly times?: number;
  /**
   * For `status`, `reset`, `hang` and `html`: `'after'` runs the method first and then loses
   * the answer, so a client cannot tell whether its call took effect.
   * @defaultValue 'before'
   */
  readonly when?: 'before' | 'after';
  /**
   * For `status`: fail the method's commands inside a `batch` (each one's `result_error` entry
   * carries `error`; the other commands and the request itself succeed) instead of HTTP requests
   * calling it directly. `times` counts commands.
   * @defaultValue false
   */
  readonly inBatch?: boolean;
  /** With `inBatch`: only the commands whose `CHAT_ID` is this chat. Omitted: every command. */
  readonly chatId?: number;
}

/** A fault that was added; `remove()` takes it out. */
export interface Fault extends FaultSpec {
  readonly id: number;
  /** Requests it has affected so far. */
  readonly hits: number;
  remove(): void;
}

/** Fault injection, per method or global. */
export interface FaultRegistry {
  add(spec: FaultSpec): Fault;
  clear(): void;
  /** Faults currently active. */
  readonly list: readonly Fault[];
}

/** Internal side of the registry: the server and event delivery pick faults here. */
export interface FaultMatcher {
  /** Takes (and counts) the first active fault of one of `kinds` matching the request. */
  take(
    kinds: readonly FaultKind[],
    method: string,
    portal: string,
    when?: 'before' | 'after',
  ): Fault | undefined;
  /** Takes (and counts) the first `inBatch` fault matching a command inside a `batch`. */
  takeInBatch(method: string, portal: string, chatId: number): Fault | undefined;
}

const faultSchema = z
  .strictObject({
    method: z.string().min(1).optional(),
    portal: z.string().min(1).optional(),
    kind: z.enum(['latency', 'status', 'reset', 'hang', 'html', 'duplicateEvents']),
    ms: z.number().int().nonnegative().optional(),
    status: z.number().int().min(100).max(599).optional(),
    error: z.string().min(1).optional(),
    times: z.number().int().positive().optional(),
    when: z.enum(['before', 'after']).optional(),
    inBatch: z.boolean().optional(),
    chatId: z.number().int().positive().optional(),
  })
  .refine((fault) => fault.inBatch !== true || (fault.kind === 'status' && fault.when !== 'after'), {
    message: "inBatch applies to 'status' faults before the command runs",
  })
  .refine((fault) => fault.chatId === undefined || fault.inBatch === true, {
    message: 'chatId applies to inBatch faults only',
  });

export function createFaultRegistry(): FaultRegistry & FaultMatcher {
  let nextId = 1;
  const active: Array<Fault & { hits: number }> = [];
  const remove = (id: number) => {
    const index = active.findIndex((fault) => fault.id === id);
    if (index >= 0) active.splice(index, 1);
  };
  return {
    add(spec) {
      const parsed = parseInput(faultSchema, spec, 'fault');
      const id = nextId++;
      const fault: Fault & { hits: number } = {
        ...(parsed as FaultSpec),
        id,
        hits: 0,
        remove: () => remove(id),
      };
      active.push(fault);
      return fault;
    },
    clear() {
      active.length = 0;
    },
    get list() {
      return [...active];
    },
    take(kinds, method, portal, when = 'before') {
      const wanted = method.toLowerCase();
      const fault = active.find(
        (candidate) =>
          candidate.inBatch !== true &&
          kinds.includes(candidate.kind) &&
          (candidate.method === undefined || candidate.method.toLowerCase() === wanted) &&
          (candidate.portal === undefined || candidate.portal === portal) &&
          (candidate.kind === 'latency' ||
            candidate.kind === 'duplicateEvents' ||
            (candidate.when ?? 'before') === when),
      );
      return hit(fault);
    },
    takeInBatch(method, portal, chatId) {
      const wanted = method.toLowerCase();
      return hit(
        active.find(
          (candidate) =>
            candidate.inBatch === true &&
            (candidate.method === undefined || candidate.method.toLowerCase() === wanted) &&
            (candidate.portal === undefined || candidate.portal === portal) &&
            (candidate.chatId === undefined || candidate.chatId === chatId),
        ),
      );
    },
  };

  function hit(fault: (Fault & { hits: number }) | undefined): Fault | undefined {
    if (fault === undefined) return undefined;
    fault.hits += 1;
    if (fault.times !== undefined && fault.hits >= fault.times) remove(fault.id);
    return fault;
  }
}

/** The platform error code that goes with an injected status. */
export function defaultErrorForStatus(status: number): string {
  switch (status) {
    case 500:
      return 'INTERNAL_SERVER_ERROR';
    case 502:
      return 'BAD_GATEWAY';
    case 503:
      return 'QUERY_LIMIT_EXCEEDED';
    case 429:
      return 'OPERATION_TIME_LIMIT';
    default:
      return `HTTP_${status}`;
  }
}
