import qs from 'qs';
import { preciseNow } from '../clock.js';
import { defaultErrorForStatus } from '../faults.js';
import { methodError, PlatformError } from '../http/platform-error.js';
import { formatPlatformDate } from '../platform-date.js';
import { type CallContext, intval, type MethodHandler, text, upperKeys } from './context.js';

// `batch`: up to 50 calls in one HTTP request. The request counts once for the leaky bucket; the
// outer call is not charged to the operating limit, each inner call is, under its own method.

/** Most calls a batch may hold. */
export const BATCH_MAX_CALLS = 50;

/** What `batch` needs to run one inner call. */
export interface InnerMethod {
  readonly name: string;
  readonly handler: MethodHandler;
  readonly appOnly: boolean;
}

type Bag = Record<string, unknown>;

/**
 * A part of the answer as PHP's `json_encode` writes an array: a list when its keys are exactly
 * 0, 1, 2, … in order (an empty part, or every call of a `cmd` sent as a list succeeded), an
 * object otherwise.
 */
function phpArray(bag: Bag): Bag | unknown[] {
  const keys = Object.keys(bag);
  return keys.every((key, index) => key === String(index)) ? Object.values(bag) : bag;
}

function lookup(value: unknown, path: readonly string[]): unknown {
  let current = value;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Bag)[key];
  }
  return current;
}

/** `$result[name][field]…` in an inner query refers to an earlier call's result. */
function substitute(query: string, results: Bag): string {
  return query.replace(/\$result\[([^\]]+)\]((?:\[[^\]]*\])*)/g, (whole, name: string, rest: string) => {
    const path = [name, ...[...rest.matchAll(/\[([^\]]*)\]/g)].map((match) => match[1] ?? '')];
    const value = lookup(results, path);
    return typeof value === 'string' || typeof value === 'number' ? String(value) : whole;
  });
}

function splitCommand(command: string): { method: string; query: string } {
  const mark = command.indexOf('?');
  return mark < 0
    ? { method: command, query: '' }
    : { method: command.slice(0, mark), query: command.slice(mark + 1) };
}

/**
 * `batch` with `halt` and `cmd[name]=method?query` (`cmd` an object, or a list as the official
 * SDK sends it). Answers `{ result, result_error, result_total, result_next, result_time }`, each
 * keyed by command name, encoded as PHP encodes an array (see `phpArray`).
 */
export function createBatchHandler(find: (name: string) => InnerMethod | undefined): MethodHandler {
  return async (context: CallContext) => {
    const cmd = context.params.cmd;
    if (typeof cmd !== 'object' || cmd === null || Object.keys(cmd).length === 0) {
      throw methodError('ERROR_BATCH_EMPTY', 'cmd is empty');
    }
    const commands = Object.entries(cmd as Bag);
    if (commands.length > BATCH_MAX_CALLS) {
      throw methodError('ERROR_BATCH_LENGTH_EXCEEDED', `Max batch length exceeded (${BATCH_MAX_CALLS})`);
    }
    const halt = ['1', 'true', 'Y'].includes(text(context.params.halt));
    const results: Bag = {};
    const errors: Bag = {};
    const times: Bag = {};
    for (const [name, raw] of commands) {
      const { method, query } = splitCommand(text(raw));
      const startedAt = preciseNow();
      try {
        results[name] = await runInner(context, find, method, substitute(query, results));
        const finishedAt = preciseNow();
        times[name] = {
          start: startedAt / 1000,
          finish: finishedAt / 1000,
          duration: (finishedAt - startedAt) / 1000,
          processing: (finishedAt - startedAt) / 1000,
          date_start: formatPlatformDate(startedAt, context.runtime.utcOffset),
          date_finish: formatPlatformDate(finishedAt, context.runtime.utcOffset),
        };
      } catch (error) {
        const refusal =
          error instanceof PlatformError
            ? error
            : new PlatformError(500, 'INTERNAL_SERVER_ERROR', String(error));
        errors[name] = { error: refusal.code, error_description: refusal.message };
        if (halt) break;
      }
    }
    return {
      result: phpArray(results),
      result_error: phpArray(errors),
      result_total: [],
      result_next: [],
      result_time: phpArray(times),
    };
  };
}

async function runInner(
  context: CallContext,
  find: (name: string) => InnerMethod | undefined,
  method: string,
  query: string,
): Promise<unknown> {
  const entry = find(method);
  if (entry === undefined || entry.name === 'batch') {
    throw new PlatformError(404, 'ERROR_METHOD_NOT_FOUND', 'Method not found!');
  }
  const at = preciseNow();
  if (context.meter.status(entry.name, at).blocked) {
    throw new PlatformError(429, 'OPERATION_TIME_LIMIT', 'Method is blocked due to operation time limit.');
  }
  const params = qs.parse(query, { depth: 10, parseArrays: false }) as Bag;
  const upper = upperKeys(params);
  const fault = context.runtime.faults.takeInBatch(
    entry.name,
    context.portal.memberId,
    intval(upper.CHAT_ID),
  );
  if (fault !== undefined) {
    const status = fault.status ?? 500;
    const error = fault.error ?? defaultErrorForStatus(status);
    throw new PlatformError(status, error, `Injected fault: ${error}`);
  }
  try {
    return await entry.handler({
      ...context,
      params,
      upper,
      nowMs: context.runtime.now(),
    });
  } finally {
    const done = preciseNow();
    context.meter.charge(entry.name, done, done - at);
  }
}
