export type { ChatContext, ChatState } from './context.js';
export { chatContextSchema, chatStates, initialChatContext } from './context.js';
export type {
  BotLeftReason,
  CancelInstruction,
  EffectInstruction,
  Notice,
  ScheduleInstruction,
} from './instructions.js';
export type { LifecycleInput } from './lifecycle-machine.js';
export { createLifecycleMachine } from './lifecycle-machine.js';
export type { MachineEvent, ResolvedTransferRequest } from './machine-events.js';
export { isClientLeavingBot, isOperatorMessage } from './machine-events.js';
export type { LifecycleOptions, ResolvedLifecycleOptions } from './options.js';
export { lifecycleOptionsSchema, retryDelayMs } from './options.js';
export type { Instructions } from './read-instructions.js';
export { readInstructions } from './read-instructions.js';
export type { LifecycleMachine, LifecycleSnapshot, PersistedChat } from './snapshot.js';
export { persistedChatSchema, persistSnapshot, restoreSnapshot, stateOf } from './snapshot.js';
