import type { ChatKey } from '../chat-key.js';
import type { RoutingCounters } from '../contracts/routing-counters.js';
import type { PlanStep, TransferRequestEvent } from '../events.js';

/** What a step needs when a strategy does not say: LEAVE and the confirmation timeout. */
export interface StepDefaults {
  /** Send `LEAVE=Y` to user targets. @defaultValue `false` (the platform's default) */
  readonly leave: boolean;
  /** How long to wait for an answer. @defaultValue `120_000` */
  readonly confirmationTimeoutMs: number;
}

/** A transfer request on its way to a plan. */
export interface RouteRequest {
  readonly key: ChatKey;
  readonly event: TransferRequestEvent;
}

/** What strategies may use: shared counters (through the store) and the step defaults. */
export interface RoutingTools {
  readonly counters: RoutingCounters;
  readonly defaults: StepDefaults;
}

/** Turns a request into plan steps: a fixed target, a rotation over a pool, the least busy… */
export interface RoutingStrategy {
  /** A label for logs and errors. */
  readonly name: string;
  plan(request: RouteRequest, tools: RoutingTools): Promise<PlanStep[]>;
}

/** Picks strategies for a request. */
export interface RoutingRule {
  /** A label for logs. */
  readonly name?: string;
  /** Whether the rule applies; a rule without `when` always applies. */
  readonly when?: (request: RouteRequest) => boolean;
  /** The strategies whose steps, in order, make the plan. */
  readonly use: RoutingStrategy | readonly RoutingStrategy[];
}

/** Resolves a transfer request to a plan: ordered steps with LEAVE and a confirmation timeout each. */
export interface Router {
  resolve(request: RouteRequest, tools: RoutingTools): Promise<PlanStep[]>;
}
