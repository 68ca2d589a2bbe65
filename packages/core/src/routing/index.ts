export type { RouterOptions } from './router.js';
export { createRouter } from './router.js';
export type { PoolOptions, StepOptions } from './strategies.js';
export { fallbackQueue, fixedTarget, leastBusy, roundRobin } from './strategies.js';
export type {
  RouteRequest,
  Router,
  RoutingRule,
  RoutingStrategy,
  RoutingTools,
  StepDefaults,
} from './types.js';
