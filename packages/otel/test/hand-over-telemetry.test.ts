import { createMemoryStore, type RateLimiter } from '@baton/core';
import { instrumentBaton } from '@baton/otel';
import type { Attributes } from '@opentelemetry/api';
import {
  type DataPoint,
  type Histogram,
  MeterProvider,
  MetricReader,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { type E2E, startE2E } from '../../transport-http/test/helpers/e2e.js';

/** Collects on demand (a pull reader), so that the test reads exact values at chosen moments. */
class OnDemandReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

/** A limiter that makes exactly the first request wait 30 ms, then grants everything. */
function limiterWithOneWait(): RateLimiter {
  let refused = false;
  return {
    scope: 'process',
    acquire: async () => {
      if (refused) return { granted: true };
      refused = true;
      return { granted: false, retryAfterMs: 30 };
    },
    penalize: async () => {},
    close: async () => {},
  };
}

function pointsOf(metrics: ResourceMetrics, name: string): DataPoint<unknown>[] {
  for (const scope of metrics.scopeMetrics) {
    for (const metric of scope.metrics) {
      if (metric.descriptor.name === name) return metric.dataPoints as DataPoint<unknown>[];
    }
  }
  return [];
}
const sumOf = (metrics: ResourceMetrics, name: string, attributes: Attributes = {}) =>
  pointsOf(metrics, name)
    .filter((point) => Object.entries(attributes).every(([key, value]) => point.attributes[key] === value))
    .reduce((total, point) => total + (point.value as number), 0);
const histogramOf = (metrics: ResourceMetrics, name: string, attributes: Attributes = {}) =>
  pointsOf(metrics, name).find((point) =>
    Object.entries(attributes).every(([key, value]) => point.attributes[key] === value),
  )?.value as Histogram | undefined;

let e2e: E2E | undefined;
let stopInstrumentation: (() => void) | undefined;
afterEach(async () => {
  stopInstrumentation?.();
  stopInstrumentation = undefined;
  await e2e?.close();
  e2e = undefined;
});

describe('OpenTelemetry from a scripted run against the emulator', () => {
  it('one trace per hand-over from inbound to HTTP, and exact metrics', async () => {
    const exporter = new InMemorySpanExporter();
    const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const reader = new OnDemandReader();
    const meterProvider = new MeterProvider({ readers: [reader] });
    const store = createMemoryStore();
    stopInstrumentation = instrumentBaton({ tracerProvider, meterProvider, backlog: store }).stop;

    const t = await startE2E({
      engine: { store, lifecycle: { retryBaseDelayMs: 20, retryMaxDelayMs: 40 } },
      transport: { rateLimiter: limiterWithOneWait() },
    });
    e2e = t;
    const stateOf = async (chatId: number) => (await t.engine.getChat(t.key(chatId)))?.state;
    const heard: Array<{ name: string; payload: { key: { chatId: number }; at: number } }> = [];
    for (const name of [
      'transfer.requested',
      'operator.answered',
      'handoff.failed',
      'timer.fired',
    ] as const) {
      t.engine.on(name, (payload) => void heard.push({ name, payload }));
    }

    // Chat A: the client asks, the bot hands over to Ann, Ann answers, the bot leaves.
    const chatA = t.newChat().chatId;
    await t.portal.clientWrites(chatA, 'I need a human, please');
    await t.requestTransfer(chatA, {
      target: { kind: 'user', userId: t.operatorA.userId },
      leave: false,
      confirmationTimeoutMs: 60_000,
    });
    // Nothing drained yet: exactly the transfer call waits in the outbox.
    const pending = (await reader.collect()).resourceMetrics;
    expect(sumOf(pending, 'baton.outbox.backlog')).toBe(1);
    expect(sumOf(pending, 'baton.timers.backlog')).toBe(0);
    await t.settle(async () => (await stateOf(chatA)) === 'awaitingOperator');
    await t.portal.operatorWrites(chatA, t.operatorA.userId, 'Hi, I am Ann, how can I help?');
    await t.settle(async () => (await stateOf(chatA)) === 'operator' && !t.portal.chat(chatA).botPresent);

    // Chat B: the first target does not exist (refused twice), the second never answers.
    const chatB = t.newChat().chatId;
    await t.requestTransfer(chatB, {
      plan: [
        { target: { kind: 'user', userId: 987_654_321 }, leave: false, confirmationTimeoutMs: 60_000 },
        { target: { kind: 'user', userId: t.operatorB.userId }, leave: false, confirmationTimeoutMs: 300 },
      ],
    });
    await t.settle(
      () => heard.some(({ name, payload }) => name === 'handoff.failed' && payload.key.chatId === chatB),
      10_000,
    );

    // Chat C: two events of one chat at once: one of the commits meets the other's version.
    const chatC = t.newChat().chatId;
    const message = (id: string) => ({
      type: 'message' as const,
      id,
      portal: t.portal.memberId,
      chatId: chatC,
      author: { userId: 560_021, kind: 'client' as const },
      text: 'hello?',
    });
    await Promise.all([t.engine.dispatch(message('ev-c-1')), t.engine.dispatch(message('ev-c-2'))]);

    // Metrics: exact for this script.
    const { resourceMetrics: done } = await reader.collect();
    expect(sumOf(done, 'baton.handovers', { 'baton.outcome': 'answered' })).toBe(1);
    expect(sumOf(done, 'baton.handovers', { 'baton.outcome': 'failed' })).toBe(1);
    expect(sumOf(done, 'baton.handovers')).toBe(2);
    const requestedA = heard.find(
      ({ name, payload }) => name === 'transfer.requested' && payload.key.chatId === chatA,
    );
    const answeredA = heard.find(
      ({ name, payload }) => name === 'operator.answered' && payload.key.chatId === chatA,
    );
    const accept = histogramOf(done, 'baton.handover.time_to_accept');
    expect(accept?.count).toBe(1);
    expect(accept?.sum).toBe((answeredA?.payload.at ?? Number.NaN) - (requestedA?.payload.at ?? Number.NaN));
    expect(sumOf(done, 'baton.confirmation.timeouts')).toBe(1);
    expect(sumOf(done, 'baton.transfer.failures', { 'baton.failure.code': 'OPERATOR_WRONG' })).toBe(2);
    expect(sumOf(done, 'baton.transfer.failures')).toBe(2);
    expect(sumOf(done, 'baton.commit.conflicts')).toBe(1);
    const firedTimers = heard.filter(({ name }) => name === 'timer.fired').length;
    expect(firedTimers).toBe(2); // B's retry after the first refusal, B's confirmation deadline
    expect(histogramOf(done, 'baton.timer.lateness')?.count).toBe(firedTimers);
    const waits = histogramOf(done, 'baton.rate_limit.wait', { 'baton.outcome': 'granted' });
    expect(waits?.count).toBe(1);
    expect(waits?.min).toBeGreaterThanOrEqual(30);
    expect(sumOf(done, 'baton.outbox.backlog')).toBe(0);

    // Traces: one per hand-over, from the request through the commit, the outbox and HTTP.
    const spans = exporter.getFinishedSpans();
    const chatOf = (span: ReadableSpan) => span.attributes['baton.chat_id'];
    const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;
    const traceOfRequest = (chatId: number) => {
      const request = spans.find(
        (span) => span.name === 'baton.dispatch transfer.request' && chatOf(span) === chatId,
      );
      expect(request).toBeDefined();
      return request as ReadableSpan;
    };
    const requestA = traceOfRequest(chatA);
    const requestB = traceOfRequest(chatB);
    const traceA = requestA.spanContext().traceId;
    expect(requestB.spanContext().traceId).not.toBe(traceA);
    expect(parentOf(requestA)).toBeUndefined(); // the hand-over's root
    expect(requestA.attributes).toMatchObject({
      'baton.portal': t.portal.memberId,
      'baton.state': 'transferring',
      'baton.event.type': 'transfer.request',
    });

    const inTraceA = spans.filter((span) => span.spanContext().traceId === traceA);
    const named = (name: string) => inTraceA.filter((span) => span.name === name);
    const commit = named('baton.commit').find((span) => parentOf(span) === requestA.spanContext().spanId);
    expect(commit?.attributes).toMatchObject({ 'baton.chat_id': chatA, 'baton.commit.status': 'committed' });
    const [claim] = named('baton.outbox.claim transfer');
    expect(parentOf(claim as ReadableSpan)).toBe(requestA.spanContext().spanId);
    expect(claim?.attributes).toMatchObject({ 'baton.chat_id': chatA, 'baton.attempt': 1 });
    const [transferCall] = named('baton.outbox transfer');
    expect(parentOf(transferCall as ReadableSpan)).toBe(requestA.spanContext().spanId);
    // In time: the request, its commit, the claim, the call, the HTTP request.
    const startOf = (span: ReadableSpan | undefined) =>
      span ? span.startTime[0] * 1e9 + span.startTime[1] : Number.NaN;
    expect(startOf(commit)).toBeLessThanOrEqual(startOf(claim));
    expect(startOf(claim)).toBeLessThanOrEqual(startOf(transferCall));
    const [transferHttp] = named('baton.http imopenlines.bot.session.transfer');
    expect(parentOf(transferHttp as ReadableSpan)).toBe(transferCall?.spanContext().spanId);
    expect(startOf(transferCall)).toBeLessThanOrEqual(startOf(transferHttp));
    expect(transferHttp?.attributes).toMatchObject({
      'baton.portal': t.portal.memberId,
      'baton.method': 'imopenlines.bot.session.transfer',
      'http.response.status_code': 200,
    });
    // The operator's message came in over HTTP from the platform: part of the same hand-over.
    const inbound = named('baton.dispatch message').find(
      (span) => span.attributes['baton.state'] === 'operator',
    );
    expect(inbound?.attributes['baton.chat_id']).toBe(chatA);
    const [removal] = named('baton.outbox removeBot');
    const [removalHttp] = named('baton.http imbot.chat.leave');
    expect(parentOf(removalHttp as ReadableSpan)).toBe(removal?.spanContext().spanId);
    // Every call made for chat A's hand-over is in its trace, and none of another chat is.
    const callsOfA = spans.filter((span) => span.name.startsWith('baton.outbox') && chatOf(span) === chatA);
    expect(new Set(callsOfA.map((span) => span.spanContext().traceId))).toEqual(new Set([traceA]));
    expect(inTraceA.every((span) => chatOf(span) === undefined || chatOf(span) === chatA)).toBe(true);

    // Chat B: both refused transfers and the accepted one in B's own trace, each with its HTTP request.
    const traceB = requestB.spanContext().traceId;
    const transfersB = spans.filter(
      (span) => span.name === 'baton.outbox transfer' && chatOf(span) === chatB,
    );
    expect(transfersB).toHaveLength(3);
    expect(new Set(transfersB.map((span) => span.spanContext().traceId))).toEqual(new Set([traceB]));
    expect(
      transfersB.filter((span) => span.attributes['baton.failure.code'] === 'OPERATOR_WRONG'),
    ).toHaveLength(2);
  });
});
