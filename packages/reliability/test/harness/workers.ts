import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { WorkerConfig, WorkerMessage } from './protocol.js';

const workerScript = fileURLToPath(new URL('./worker.ts', import.meta.url));
const testTsconfig = fileURLToPath(new URL('../../../../tsconfig.test.json', import.meta.url));

/** A running worker process. */
export interface WorkerHandle {
  readonly name: string;
  readonly config: WorkerConfig;
  readonly child: ChildProcess;
  readonly port: number;
  readonly pid: number;
  /** Resolves when the process has exited, however. */
  readonly exited: Promise<void>;
  /** `crashing` messages: where it killed itself on purpose. */
  readonly crashes: string[];
}

/** Every process a scenario started, so that each is ended even when the scenario fails. */
export class Fleet {
  readonly workers: WorkerHandle[] = [];
  readonly timerFirings: { portal: string; chatId: number; timerId: string; at: number; by: string }[] = [];
  private readonly all = new Set<ChildProcess>();

  /** Forks a worker and waits until it listens (bounded). */
  async start(config: WorkerConfig, timeoutMs = 30_000): Promise<WorkerHandle> {
    const child = fork(workerScript, [], {
      execArgv: ['--import', 'tsx'],
      // The sources, not a build: the same code the rest of the test run imports.
      env: {
        ...process.env,
        TSX_TSCONFIG_PATH: testTsconfig,
        BATON_RELIABILITY_WORKER: JSON.stringify(config),
      },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.all.add(child);
    const exited = new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve();
      else child.once('exit', () => resolve());
    });
    const crashes: string[] = [];
    const ready = await new Promise<{ port: number; pid: number }>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${config.name} not ready in ${timeoutMs} ms`)),
        timeoutMs,
      );
      child.on('message', (raw) => {
        const message = raw as WorkerMessage;
        if (message.type === 'ready') {
          clearTimeout(timer);
          resolve({ port: message.port, pid: message.pid });
        } else if (message.type === 'crashing') crashes.push(message.at);
        else if (message.type === 'timer') this.timerFirings.push({ ...message, by: config.name });
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`${config.name} exited before ready (${code ?? signal})`));
      });
    });
    const handle: WorkerHandle = { name: config.name, config, child, exited, crashes, ...ready };
    this.workers.push(handle);
    return handle;
  }

  /** The workers still running. */
  alive(): WorkerHandle[] {
    return this.workers.filter((w) => w.child.exitCode === null && w.child.signalCode === null);
  }

  /** kill -9. */
  async kill(worker: WorkerHandle): Promise<void> {
    worker.child.kill('SIGKILL');
    await worker.exited;
  }

  /** Asks a worker to stop cleanly (bounded), then kills it. */
  async stop(worker: WorkerHandle, timeoutMs = 10_000): Promise<void> {
    if (worker.child.exitCode !== null || worker.child.signalCode !== null) return;
    try {
      worker.child.send('stop');
    } catch {
      // the channel is already closed
    }
    const timer = setTimeout(() => worker.child.kill('SIGKILL'), timeoutMs);
    await worker.exited;
    clearTimeout(timer);
  }

  /** Ends every process this fleet started: SIGCONT first (a paused one cannot die cleanly), then SIGKILL. */
  async close(): Promise<void> {
    const waits: Promise<void>[] = [];
    for (const child of this.all) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      waits.push(new Promise<void>((resolve) => child.once('exit', () => resolve())));
      child.kill('SIGCONT');
      child.kill('SIGKILL');
    }
    await Promise.all(waits);
  }
}

/** POSTs JSON or a form to a worker; returns status and parsed body (never throws on a status). */
export async function post(
  port: number,
  path: string,
  body: string,
  contentType: string,
  timeoutMs = 15_000,
): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body,
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: response.status, body: parsed };
}

export const dispatchTo = (port: number, event: unknown) =>
  post(port, '/_dispatch', JSON.stringify(event), 'application/json');
