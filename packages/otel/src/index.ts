// @baton/otel: OpenTelemetry spans and metrics from Baton's diagnostics channels.

export {
  type BacklogSource,
  type BatonInstrumentation,
  type BatonInstrumentationOptions,
  instrumentBaton,
} from './instrument.js';
