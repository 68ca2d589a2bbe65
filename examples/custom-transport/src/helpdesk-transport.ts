/**
 * A Baton `Transport` for the help desk of `helpdesk-platform.ts`. A transport makes the four
 * calls the lifecycle needs, one attempt each, and returns every failure as data the engine can
 * decide on: `retryable`, `kind` (`target`: this call was refused; `budget`: the platform's
 * request budget is spent; `transient`: the way failed) and `outcomeUnknown` (the call may have
 * run). It never retries and never throws: the engine is the one place that decides.
 */
import type {
  BotRemoval,
  CallOptions,
  ChatKey,
  DialogOwner,
  TransferRequest,
  Transport,
  TransportFailure,
  TransportResult,
} from '@baton/core';

export interface HelpdeskTransportOptions {
  /** The help desk's base URL, e.g. `https://desk.example.com`. */
  readonly url: string;
  /** The bot's API token. */
  readonly token: string;
  /** Per request. @defaultValue 10_000 */
  readonly timeoutMs?: number;
}

type Call<T> = Promise<TransportResult<T>>;

const failure = (code: string, fields: Omit<TransportFailure, 'code' | 'message'>, message: string) => ({
  ok: false as const,
  error: { code, message, ...fields },
});

export function createHelpdeskTransport(options: HelpdeskTransportOptions): Transport {
  const timeoutMs = options.timeoutMs ?? 10_000;

  /** One HTTP request; the body on 2xx, a classified failure otherwise. */
  async function request(
    method: 'GET' | 'POST',
    chat: ChatKey,
    path: string,
    body: Record<string, unknown> | undefined,
    callOptions: CallOptions | undefined,
  ): Call<Record<string, unknown>> {
    if (callOptions?.signal?.aborted) return failure('ABORTED', { retryable: false }, 'The call was aborted');
    const signals = [AbortSignal.timeout(timeoutMs), ...(callOptions?.signal ? [callOptions.signal] : [])];
    let response: Response;
    try {
      response = await fetch(`${options.url}/api/conversations/${chat.chatId}${path}`, {
        method,
        headers: { authorization: `Bearer ${options.token}`, 'content-type': 'application/json' },
        ...(body ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.any(signals),
      });
    } catch (error) {
      if (callOptions?.signal?.aborted)
        return failure('ABORTED', { retryable: false }, 'The call was aborted');
      // Sent, or not: a reset or a timeout leaves the outcome unknown.
      return failure('NETWORK', { retryable: true, kind: 'transient', outcomeUnknown: true }, String(error));
    }
    const payload = (await response.json().catch(() => ({}))) as Record<string, unknown>;
    if (response.ok) return { ok: true, value: payload };
    const code = typeof payload.error === 'string' ? payload.error : `HTTP_${response.status}`;
    const message = `${method} ${path || '/'} answered ${response.status} ${code}`;
    if (response.status === 429) {
      const retryAfterMs = Number(response.headers.get('retry-after') ?? 1) * 1_000;
      return failure(code, { retryable: true, kind: 'budget', retryAfterMs, status: 429 }, message);
    }
    if (response.status >= 500) {
      return failure(
        code,
        { retryable: true, kind: 'transient', outcomeUnknown: true, status: response.status },
        message,
      );
    }
    return failure(code, { retryable: false, kind: 'target', status: response.status }, message);
  }

  const toVoid = async (call: Call<unknown>): Call<void> => {
    const result = await call;
    return result.ok ? { ok: true, value: undefined } : result;
  };

  return {
    transfer(transfer: TransferRequest, callOptions?: CallOptions): Call<void> {
      // The help desk has no LEAVE: the bot stays until Baton removes it after the answer.
      const { target } = transfer;
      return target.kind === 'user'
        ? toVoid(request('POST', transfer, '/assign', { agentId: target.userId }, callOptions))
        : toVoid(request('POST', transfer, '/assign-team', { teamId: target.queueId }, callOptions));
    },
    async removeBot(chat: ChatKey, callOptions?: CallOptions): Call<BotRemoval> {
      const result = await request('POST', chat, '/leave', {}, callOptions);
      return result.ok ? { ok: true, value: { alreadyGone: result.value.left !== true } } : result;
    },
    async readDialogOwner(chat: ChatKey, callOptions?: CallOptions): Call<DialogOwner> {
      const result = await request('GET', chat, '', undefined, callOptions);
      if (!result.ok) return result;
      const participants = Array.isArray(result.value.participants) ? result.value.participants : [];
      return {
        ok: true,
        value: { ownerId: Number(result.value.acceptedBy ?? 0), botPresent: participants.includes('bot') },
      };
    },
    sendBotMessage(chat: ChatKey & { readonly text: string }, callOptions?: CallOptions): Call<void> {
      return toVoid(request('POST', chat, '/messages', { text: chat.text }, callOptions));
    },
  };
}
