import { createEngine, createMemoryStore, type Logger, withRateLimit } from '@baton/core';
import { createFakeTransport, createManualClock, toUser } from '@baton/core/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createStartWarning } from '../../src/engine/start-warning.js';

const portal = 'b24-7f3a91c2';
const noBudget = {
  acquire: async () => ({ granted: true as const }),
  penalize: async () => {},
  close: async () => {},
};

/** A logger that keeps every line, as `[level, fields, message]`. */
function recordingLogger() {
  const lines: Array<[string, Record<string, unknown>, string]> = [];
  const at = (level: string) => (fields: Record<string, unknown>, message: string) => {
    lines.push([level, fields, message]);
  };
  const logger: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  return { logger, lines };
}

function engineWith(options: { logger?: Logger } = {}) {
  const clock = createManualClock();
  const transport = createFakeTransport({ clock });
  const store = createMemoryStore({ clock });
  const engine = createEngine({ transport: withRateLimit(transport, noBudget), store, clock, ...options });
  return { engine, transport, clock, store };
}

const transferRequest = (chatId: number, id: string) => ({
  type: 'transfer.request' as const,
  id,
  portal,
  chatId,
  plan: [toUser(104_215)],
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('background failures are never silent', () => {
  it('prints a throwing transport once to stderr when nobody listens and there is no logger', async () => {
    const printed = vi.spyOn(console, 'error').mockImplementation(() => {});
    const { engine, transport, clock } = engineWith();
    transport.respondAlways('transfer', () => {
      throw new Error('socket hang up');
    });
    await engine.dispatch(transferRequest(311_001, 'ev-311001-1'));
    await engine.drain();
    const chat = await engine.getChat({ portal, chatId: 311_001 });
    expect(chat?.context.lastError).toMatchObject({ code: 'TRANSPORT_THREW', message: 'socket hang up' });
    const failed: Array<{ code: string; message?: string }> = [];
    engine.on('handoff.failed', (payload) => failed.push(payload));
    clock.advance(60_000);
    await engine.drain(); // the retry throws again: still one line
    expect(transport.callsOf('transfer')).toHaveLength(2);
    // The hand-over ends on the failure that ended it, not on an anonymous one.
    expect(failed).toMatchObject([{ code: 'TRANSPORT_THREW', message: 'socket hang up' }]);
    expect((await engine.getChat({ portal, chatId: 311_001 }))?.context.lastError).toMatchObject({
      code: 'TRANSPORT_THREW',
      message: 'socket hang up',
    });
    expect(printed).toHaveBeenCalledTimes(1);
    const [line, error] = printed.mock.calls[0] as [string, Error];
    expect(line).toContain('transport failed (Error): socket hang up');
    expect(line).toContain("engine.on('error'");
    expect(error.message).toBe('socket hang up');
    await engine.stop();
  });

  it('sends every failure to the logger, with its stage, code and chat, and prints nothing', async () => {
    const printed = vi.spyOn(console, 'error').mockImplementation(() => {});
    const { logger, lines } = recordingLogger();
    const { engine, transport, clock } = engineWith({ logger });
    transport.respondAlways('transfer', () => {
      throw new Error('socket hang up');
    });
    await engine.dispatch(transferRequest(311_002, 'ev-311002-1'));
    await engine.drain();
    clock.advance(60_000);
    await engine.drain();
    const errors = lines.filter(([level]) => level === 'error');
    expect(errors.length).toBe(transport.callsOf('transfer').length);
    expect(errors[0]?.[1]).toMatchObject({ stage: 'transport', code: 'Error', portal, chatId: 311_002 });
    expect(errors[0]?.[2]).toBe('baton: transport failed: socket hang up');
    expect(printed).not.toHaveBeenCalled();
    await engine.stop();
  });

  it('tells error listeners and prints nothing', async () => {
    const printed = vi.spyOn(console, 'error').mockImplementation(() => {});
    const { engine, transport } = engineWith();
    const heard: Array<{ stage: string; chatId: number | undefined }> = [];
    engine.on('error', (_error, context) =>
      heard.push({ stage: context.stage, chatId: context.key?.chatId }),
    );
    transport.respondOnce('transfer', () => {
      throw new Error('socket hang up');
    });
    await engine.dispatch(transferRequest(311_003, 'ev-311003-1'));
    await engine.drain();
    expect(heard).toEqual([{ stage: 'transport', chatId: 311_003 }]);
    expect(printed).not.toHaveBeenCalled();
    await engine.stop();
  });
});

describe('what the logger hears', () => {
  it('warns of a failed transfer and hand-over with the transport message, and logs transitions at debug', async () => {
    const { logger, lines } = recordingLogger();
    const { engine, transport } = engineWith({ logger });
    transport.respondAlways('transfer', {
      ok: false,
      error: { code: 'OPERATOR_WRONG', retryable: false, message: 'The operator 104215 is not in the line' },
    });
    await engine.dispatch(transferRequest(311_004, 'ev-311004-1'));
    await engine.drain();
    const warnings = lines.filter(([level]) => level === 'warn');
    expect(warnings.map(([, , message]) => message)).toEqual([
      'baton: transfer failed (OPERATOR_WRONG)',
      'baton: hand-over failed (OPERATOR_WRONG)',
    ]);
    expect(warnings[1]?.[1]).toMatchObject({
      portal,
      chatId: 311_004,
      code: 'OPERATOR_WRONG',
      message: 'The operator 104215 is not in the line',
      step: 0,
      target: { kind: 'user', userId: 104_215 },
    });
    const transitions = lines.filter(
      ([level, , message]) => level === 'debug' && message === 'baton: transition',
    );
    expect(transitions.map(([, fields]) => `${fields.from}->${fields.to}`)).toEqual([
      'null->transferring',
      'transferring->bot',
    ]);
    await engine.stop();
  });

  it('stamps every event payload with the engine clock', async () => {
    const { engine, clock } = engineWith();
    const stamps: number[] = [];
    engine.on('transition', ({ at }) => stamps.push(at));
    engine.on('transfer.requested', ({ at }) => stamps.push(at));
    await engine.dispatch(transferRequest(311_005, 'ev-311005-1'));
    expect(stamps).toEqual([clock.now(), clock.now()]);
    await engine.stop();
  });
});

describe('a forgotten start()', () => {
  it('an engine with work waiting that was never started warns once, after 5 s', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const { logger, lines } = recordingLogger();
      const { engine } = engineWith({ logger });
      await engine.dispatch(transferRequest(311_006, 'ev-311006-1'));
      await engine.dispatch(transferRequest(311_007, 'ev-311007-1'));
      const warnings = () => lines.filter(([level]) => level === 'warn');
      vi.advanceTimersByTime(4_999);
      expect(warnings()).toHaveLength(0);
      vi.advanceTimersByTime(1);
      expect(warnings()).toHaveLength(1);
      expect(warnings()[0]?.[2]).toContain('call engine.start()');
      vi.advanceTimersByTime(60_000);
      expect(warnings()).toHaveLength(1);
      await engine.stop();
    } finally {
      vi.useRealTimers();
    }
  });

  it('a started engine does not warn', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const { logger, lines } = recordingLogger();
      const { engine } = engineWith({ logger });
      engine.start();
      await engine.dispatch(transferRequest(311_008, 'ev-311008-1'));
      vi.advanceTimersByTime(10_000);
      expect(lines.filter(([level]) => level === 'warn')).toHaveLength(0);
      expect(lines.filter(([, , message]) => message === 'baton: engine started')).toHaveLength(1);
      await engine.stop();
    } finally {
      vi.useRealTimers();
    }
  });

  it('warns through the logger when work waits and the engine is neither started nor drained', async () => {
    const { logger, lines } = recordingLogger();
    const warning = createStartWarning(logger, 10);
    warning.workWaiting();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(lines).toHaveLength(1);
    expect(lines[0]?.[0]).toBe('warn');
    expect(lines[0]?.[2]).toContain('engine was never started');
  });

  it('says nothing once the engine was started or drained', async () => {
    const { logger, lines } = recordingLogger();
    const warning = createStartWarning(logger, 10);
    warning.workWaiting();
    warning.driven();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(lines).toHaveLength(0);
  });
});
