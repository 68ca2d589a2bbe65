export { createEmulator, type Emulator } from './emulator.js';
export { isTestkitError, TestkitError, type TestkitErrorCode, type TestkitErrorContext } from './errors.js';
export type { DeliveryRecord } from './events/dispatch.js';
export type { Fault, FaultKind, FaultRegistry, FaultSpec } from './faults.js';
export type { RequestRecord } from './http/request-log.js';
export {
  type BucketDecision,
  createLeakyBucket,
  type LeakyBucket,
  type LeakyBucketLimits,
} from './leaky-bucket.js';
export { isLoopbackHost } from './loopback.js';
export { servedMethods } from './methods/registry.js';
export type { OperatingLimitOptions } from './operating-limit.js';
export type { EmulatorOptions } from './options.js';
export type {
  AppOptions,
  BotOptions,
  ClientChatOptions,
  LineOptions,
  LineWorktime,
  OperatorOptions,
  PortalOptions,
  WebhookOptions,
} from './portal-options.js';
export type {
  ChatMessage,
  ChatSnapshot,
  ChatStateName,
  ChatTransfer,
  ClientChat,
  InstalledApp,
  Portal,
  RegisteredBot,
  Webhook,
} from './portal-types.js';
export type { EmulatorTls } from './tls/emulator-tls.js';
