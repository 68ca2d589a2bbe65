import { AsyncLocalStorage } from 'node:async_hooks';
import * as diagnostics from 'node:diagnostics_channel';
import {
  batonChannels,
  type ClaimMessage,
  type CommitMessage,
  type CommittedMessage,
  type DispatchMessage,
  type EffectMessage,
  type ErrorMessage,
  type HttpRequestMessage,
  type RateLimitWaitMessage,
  type TimersMessage,
} from '@baton/core/adapter';
import {
  type Attributes,
  type Context,
  context,
  type MeterProvider,
  metrics,
  type Span,
  SpanKind,
  SpanStatusCode,
  type TracerProvider,
  trace,
} from '@opentelemetry/api';
import { createHandoverBook } from './handovers.js';
import { createInstruments } from './metrics.js';
import { errorDetails, handOverEnds, handOverOutcome } from './outcomes.js';

/** What the store can tell about pending work (`store.backlog()` of the memory and Redis stores). */
export interface BacklogSource {
  backlog(): Promise<{ readonly effects: number; readonly timers: number; readonly dueTimers: number }>;
}

/** Options of `instrumentBaton`. */
export interface BatonInstrumentationOptions {
  /** @defaultValue the global tracer provider (`trace.getTracerProvider()`) */
  readonly tracerProvider?: TracerProvider;
  /** @defaultValue the global meter provider (`metrics.getMeterProvider()`) */
  readonly meterProvider?: MeterProvider;
  /**
   * A store whose backlog is observed as `baton.outbox.backlog`, `baton.timers.backlog` and
   * `baton.timers.due` (gauges read at each collection). @defaultValue none: no backlog gauges
   */
  readonly backlog?: BacklogSource;
}

/** A running instrumentation; `stop()` unsubscribes from every channel. */
export interface BatonInstrumentation {
  stop(): void;
}

const scope = '@baton/otel';
const spanOf = Symbol('baton.span');
type Carrier = { [spanOf]?: Span };

/**
 * Turns Baton's diagnostics channels (published by `@baton/core`, `@baton/transport-http` and
 * `@baton/store-redis`) into OpenTelemetry spans and metrics. Call it once per process, before the
 * engine takes work.
 *
 * Traces: one per hand-over. The dispatch of the transfer request is its root (or a child of
 * whatever span is active then, e.g. your HTTP server's); the commit, each outbox call
 * (`baton.outbox transfer`, `… removeBot`), each platform HTTP request under it
 * (`baton.http imopenlines.bot.session.transfer`) and every later event of the chat until it is
 * back with the bot or closed are its descendants. Attributes: `baton.portal`, `baton.chat_id`,
 * `baton.state`, `baton.event.type`, `baton.method`, `baton.call`, `baton.failure.code`.
 *
 * Metrics: see the package README for names, units and attributes.
 *
 * @example
 * ```ts
 * import { instrumentBaton } from '@baton/otel';
 * const instrumentation = instrumentBaton({ backlog: store });
 * // … on shutdown:
 * instrumentation.stop();
 * ```
 */
export function instrumentBaton(options: BatonInstrumentationOptions = {}): BatonInstrumentation {
  const tracer = (options.tracerProvider ?? trace.getTracerProvider()).getTracer(scope);
  const meter = (options.meterProvider ?? metrics.getMeterProvider()).getMeter(scope);
  const instruments = createInstruments(meter);
  const handovers = createHandoverBook();
  // The span whose work is running now: set by each tracing channel's start for its async scope.
  const current = new AsyncLocalStorage<Span>();
  const undo: Array<() => void> = [];

  /** The parent of a chat's span: the running span, else the chat's open hand-over, else the active context. */
  function parentFor(key: { portal: string; chatId: number } | undefined): Context {
    const running = current.getStore();
    if (running) return trace.setSpan(context.active(), running);
    const handover = key ? handovers.get(key) : undefined;
    if (handover) return trace.setSpanContext(context.active(), handover.parent);
    return context.active();
  }

  function start(
    name: string,
    kind: SpanKind,
    attributes: Attributes,
    key?: { portal: string; chatId: number },
  ) {
    return tracer.startSpan(name, { kind, attributes }, parentFor(key));
  }

  /** Subscribes to a tracing channel: a span from `begin`, ended (with `finish`) when the work settles. */
  function traceChannel<M extends object>(
    name: string,
    begin: (message: M) => Span,
    finish: (span: Span, message: M) => void,
  ): void {
    const channel = diagnostics.tracingChannel<Span, M>(name);
    channel.start.bindStore(current, (message: M) => {
      const span = begin(message);
      (message as Carrier)[spanOf] = span;
      return span;
    });
    const settle = (message: M) => {
      const span = (message as Carrier)[spanOf];
      if (!span) return;
      delete (message as Carrier)[spanOf];
      const { error } = message as { error?: unknown };
      if (error !== undefined) {
        span.recordException(error instanceof Error ? error : String(error));
        span.setStatus({ code: SpanStatusCode.ERROR, message: errorDetails(error).message });
        span.setAttribute('baton.failure.code', errorDetails(error).code);
      }
      finish(span, message);
      span.end();
    };
    const handlers = {
      start: () => {},
      end: () => {},
      asyncStart: () => {},
      asyncEnd: settle,
      error: () => {},
    };
    channel.subscribe(handlers);
    undo.push(() => {
      channel.unsubscribe(handlers);
      channel.start.unbindStore(current);
    });
  }

  function listen<M>(name: string, listener: (message: M) => void): void {
    const handler = (message: unknown) => listener(message as M);
    diagnostics.subscribe(name, handler);
    undo.push(() => diagnostics.unsubscribe(name, handler));
  }

  const chatAttributes = (key: { portal: string; chatId: number }) => ({
    'baton.portal': key.portal,
    'baton.chat_id': key.chatId,
  });

  traceChannel<DispatchMessage>(
    batonChannels.dispatch,
    ({ event }) =>
      start(
        `baton.dispatch ${event.type}`,
        SpanKind.INTERNAL,
        { ...chatAttributes(event), 'baton.event.type': event.type, 'baton.event.id': event.id },
        event,
      ),
    (span, { outcome }) => {
      if (!outcome) return;
      span.setAttributes({
        'baton.state': outcome.state,
        'baton.dispatch.status': outcome.status,
        'baton.version': outcome.version,
      });
    },
  );

  traceChannel<CommitMessage>(
    batonChannels.commit,
    (message) =>
      start(
        'baton.commit',
        SpanKind.INTERNAL,
        {
          ...chatAttributes(message.key),
          'baton.state': message.state,
          'baton.version': message.expectedVersion,
        },
        message.key,
      ),
    (span, { outcome }) => {
      if (!outcome) return;
      span.setAttribute('baton.commit.status', outcome.status);
      if (outcome.status === 'conflict') instruments.commitConflicts.add(1);
    },
  );

  traceChannel<EffectMessage>(
    batonChannels.effect,
    (message) =>
      start(
        `baton.outbox ${message.kind}`,
        SpanKind.INTERNAL,
        { ...chatAttributes(message.key), 'baton.call': message.kind },
        message.key,
      ),
    (span, { outcome }) => {
      if (!outcome || outcome.ok) return;
      span.setStatus({ code: SpanStatusCode.ERROR, message: outcome.code ?? 'failed' });
      if (outcome.code !== undefined) span.setAttribute('baton.failure.code', outcome.code);
    },
  );

  traceChannel<HttpRequestMessage>(
    batonChannels.httpRequest,
    (message) =>
      start(`baton.http ${message.method}`, SpanKind.CLIENT, {
        'baton.portal': message.portal,
        'baton.method': message.method,
        'http.request.method': 'POST',
      }),
    (span, message) => {
      if (message.status !== undefined) span.setAttribute('http.response.status_code', message.status);
      if (message.code !== undefined) {
        span.setAttribute('baton.failure.code', message.code);
        span.setStatus({ code: SpanStatusCode.ERROR, message: message.code });
      }
    },
  );

  listen<CommittedMessage>(batonChannels.committed, (message) => {
    const { key } = message;
    if (message.notices.some((notice) => notice.type === 'transfer.requested') && !handovers.get(key)) {
      const running = current.getStore();
      if (running)
        handovers.begin(key, { parent: running.spanContext(), startedAt: message.at, settled: false });
    }
    for (const notice of message.notices) {
      if (notice.type === 'transfer.failed') {
        instruments.transferFailures.add(1, { 'baton.failure.code': String(notice.code) });
      }
    }
    if (message.failure?.code === 'CONFIRMATION_TIMEOUT') instruments.confirmationTimeouts.add(1);
    const handover = handovers.get(key);
    if (handover && !handover.settled) {
      const outcome = handOverOutcome(message);
      if (outcome !== undefined) {
        handover.settled = true;
        instruments.handovers.add(1, { 'baton.outcome': outcome });
        if (outcome === 'answered') instruments.timeToAccept.record(message.at - handover.startedAt);
      }
    }
    if (handOverEnds(message)) handovers.end(key);
  });

  listen<ClaimMessage>(batonChannels.claim, ({ effects }) => {
    for (const effect of effects) {
      instruments.outboxClaims.add(1, { 'baton.call': effect.kind });
      // The moment this worker took the entry: a point in the hand-over's trace, before its call.
      start(
        `baton.outbox.claim ${effect.kind}`,
        SpanKind.INTERNAL,
        {
          ...chatAttributes(effect.key),
          'baton.call': effect.kind,
          'baton.effect.id': effect.id,
          'baton.attempt': effect.attempt,
        },
        effect.key,
      ).end();
    }
  });
  listen<TimersMessage>(batonChannels.timers, ({ timers }) => {
    for (const timer of timers) instruments.timerLateness.record(timer.latenessMs);
  });
  listen<RateLimitWaitMessage>(batonChannels.rateLimitWait, (message) => {
    instruments.rateLimitWaits.record(message.waitedMs, {
      'baton.portal': message.portal,
      'baton.outcome': message.outcome,
    });
  });
  listen<ErrorMessage>(batonChannels.error, (message) => {
    instruments.errors.add(1, {
      'baton.stage': message.stage,
      'baton.failure.code': errorDetails(message.error).code,
    });
  });

  if (options.backlog) {
    const source = options.backlog;
    const outbox = meter.createObservableGauge('baton.outbox.backlog', {
      description: 'Outbox entries waiting (claimed or not)',
    });
    const timers = meter.createObservableGauge('baton.timers.backlog', { description: 'Durable timers set' });
    const due = meter.createObservableGauge('baton.timers.due', { description: 'Durable timers past due' });
    const observe = async (result: import('@opentelemetry/api').BatchObservableResult) => {
      const backlog = await source.backlog();
      result.observe(outbox, backlog.effects);
      result.observe(timers, backlog.timers);
      result.observe(due, backlog.dueTimers);
    };
    meter.addBatchObservableCallback(observe, [outbox, timers, due]);
    undo.push(() => meter.removeBatchObservableCallback(observe, [outbox, timers, due]));
  }

  return {
    stop() {
      for (const step of undo.splice(0).reverse()) step();
    },
  };
}
