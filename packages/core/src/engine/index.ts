export type { DispatchResult } from './dispatcher.js';
export type { ChatView, Engine } from './engine.js';
export { createEngine } from './engine.js';
export type {
  EngineErrorContext,
  EngineEvents,
  NoticePayload,
  TimerFiredPayload,
  TransitionPayload,
} from './engine-events.js';
export { engineEventNames } from './engine-events.js';
export type { MessageRoute, MessageRoutingPolicy } from './message-route.js';
export type { EngineOptions, WorkerOptions } from './options.js';
