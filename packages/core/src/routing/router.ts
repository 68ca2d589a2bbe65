import { BatonError } from '../errors.js';
import type { PlanStep } from '../events.js';
import type { RouteRequest, Router, RoutingRule, RoutingStrategy, RoutingTools } from './types.js';

/** Options of `createRouter`. */
export interface RouterOptions {
  /** Checked in order; the first that applies gives the plan's leading steps. */
  readonly rules?: readonly RoutingRule[];
  /** Steps appended to every plan (e.g. `fallbackQueue(1)`), and the whole plan when no rule applies. */
  readonly fallback?: RoutingStrategy | readonly RoutingStrategy[];
}

const asList = (
  value: RoutingStrategy | readonly RoutingStrategy[] | undefined,
): readonly RoutingStrategy[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value as RoutingStrategy];

/**
 * Builds a router from rules and strategies. The plan is the first matching rule's steps followed
 * by the fallback's; an empty plan is a `NO_ROUTE` error.
 *
 * @example
 * ```ts
 * const router = createRouter({
 *   rules: [{ name: 'vip', when: (r) => r.event.reason === 'vip', use: fixedTarget({ kind: 'user', userId: 7 }) }],
 *   fallback: [roundRobin([11, 12, 13], { attempts: 2 }), fallbackQueue(1)],
 * });
 * ```
 */
export function createRouter(options: RouterOptions = {}): Router {
  const rules = options.rules ?? [];
  const fallback = asList(options.fallback);
  return {
    async resolve(request: RouteRequest, tools: RoutingTools): Promise<PlanStep[]> {
      const rule = rules.find((candidate) => candidate.when?.(request) ?? true);
      const strategies = [...asList(rule?.use), ...fallback];
      const plan: PlanStep[] = [];
      for (const strategy of strategies) plan.push(...(await strategy.plan(request, tools)));
      if (plan.length === 0) {
        throw new BatonError('NO_ROUTE', 'No routing rule or fallback produced a transfer target', {
          context: { portal: request.key.portal, chatId: request.key.chatId, eventId: request.event.id },
        });
      }
      return plan.slice(0, 32);
    },
  };
}
