import { spawn } from 'node:child_process';
import { Agent, request } from 'node:https';
import { networkInterfaces } from 'node:os';
import { fileURLToPath } from 'node:url';
import {
  createEmulator,
  type EmulatorOptions,
  isLoopbackHost,
  isTestkitError,
  servedMethods,
} from '@baton/testkit';
import { describe, expect, it } from 'vitest';
import { callForm } from './helpers.js';

describe('createEmulator', () => {
  it('listens on 127.0.0.1 by default and closes idempotently', async () => {
    const emulator = await createEmulator();
    expect(emulator.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await emulator.close();
    await emulator.close();
    await expect(fetch(`${emulator.url}/rest/x`)).rejects.toThrow();
  });

  const hasIpv6Loopback = Object.values(networkInterfaces()).some((list) =>
    (list ?? []).some((entry) => entry.address === '::1'),
  );

  it.skipIf(!hasIpv6Loopback)('listens on ::1 and localhost', async () => {
    const six = await createEmulator({ host: '::1' });
    expect(six.url).toMatch(/^http:\/\/\[::1\]:\d+$/);
    await six.close();
    const named = await createEmulator({ host: 'localhost' });
    expect(named.url).toMatch(/^http:\/\/localhost:\d+$/);
    await named.close();
  });

  it.each(['0.0.0.0', '::', '192.168.1.10', 'example.test'])('refuses to listen on %s', async (host) => {
    await expect(createEmulator({ host })).rejects.toSatisfy((error) =>
      isTestkitError(error, 'NON_LOOPBACK_HOST'),
    );
  });

  it('classifies loopback hosts', () => {
    expect(['127.0.0.1', '127.5.6.7', '::1', 'localhost', '[::1]'].every(isLoopbackHost)).toBe(true);
    expect(['0.0.0.0', '10.0.0.1', '::', 'localhost.example'].some(isLoopbackHost)).toBe(false);
  });

  it('validates options and arguments with coded errors, changing nothing', async () => {
    await expect(createEmulator({ port: -1 })).rejects.toSatisfy((error) =>
      isTestkitError(error, 'INVALID_INPUT'),
    );
    await expect(createEmulator({ rateLimit: { ratePerSecond: 0, burst: 50 } })).rejects.toSatisfy((error) =>
      isTestkitError(error, 'INVALID_INPUT'),
    );
    const emulator = await createEmulator();
    const portal = emulator.createPortal({ memberId: 'acme' });
    expect(() => emulator.createPortal({ memberId: 'acme' })).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
    expect(() => portal.createLine({ queue: [999] })).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
    expect(() => portal.chat(12345)).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
    expect(() => portal.registerBot({ eventHandlerUrl: 'not a url' })).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
    await expect(portal.clientWrites(12345, 'x')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(emulator.portal('acme')).toBe(portal);
    await emulator.close();
  });

  it('gives realistic ids by default: random, 5 to 7 digits, lines small, the administrator 1', async () => {
    const emulator = await createEmulator();
    const portal = emulator.createPortal();
    const operator = portal.createOperator().userId;
    const lineId = portal.createLine({ queue: [operator] }).lineId;
    const bot = portal.registerBot();
    const chat = portal.createClientChat({ lineId, botId: bot.botId, announceJoin: false });
    const { messageId } = await portal.clientWrites(chat.chatId, 'hi');
    const large = [
      operator,
      bot.botId,
      chat.chatId,
      chat.clientUserId,
      portal.chat(chat.chatId).sessionId,
      messageId,
    ];
    for (const id of large) {
      expect(id).toBeGreaterThanOrEqual(10_000);
      expect(id).toBeLessThanOrEqual(9_999_999);
    }
    expect(new Set(large).size).toBe(large.length);
    expect(lineId).toBe(1);
    expect(portal.createWebhook().userId).toBe(1);
    await emulator.close();
  });

  it('repeats random ids for the same idSeed, and counts with ids: sequential', async () => {
    const draw = async (options: EmulatorOptions) => {
      const emulator = await createEmulator(options);
      const portal = emulator.createPortal();
      const operator = portal.createOperator().userId;
      const lineId = portal.createLine({ queue: [operator] }).lineId;
      const bot = portal.registerBot();
      const chat = portal.createClientChat({ lineId, botId: bot.botId, announceJoin: false });
      const snapshot = portal.chat(chat.chatId);
      await emulator.close();
      return {
        operator,
        lineId,
        botId: bot.botId,
        chat,
        sessionId: snapshot.sessionId,
        members: snapshot.members,
      };
    };
    const first = await draw({ idSeed: 42 });
    expect(await draw({ idSeed: 42 })).toEqual(first);
    expect((await draw({ idSeed: 43 })).chat.chatId).not.toBe(first.chat.chatId);
    expect(await draw({ ids: 'sequential' })).toEqual({
      operator: 2,
      lineId: 1,
      botId: 3,
      chat: { chatId: 101, dialogId: 'chat101', clientUserId: 4 },
      sessionId: 1001,
      members: [4, 3],
    });
  });

  it('takes fixed ids through options, and refuses one already used', async () => {
    const emulator = await createEmulator();
    const portal = emulator.createPortal();
    const operator = portal.createOperator({ userId: 734_512 }).userId;
    const lineId = portal.createLine({ queue: [operator] }).lineId;
    const bot = portal.registerBot({ botId: 2_318_907 });
    const chat = portal.createClientChat({
      chatId: 5_402_118,
      lineId,
      botId: bot.botId,
      announceJoin: false,
    });
    expect({ operator, botId: bot.botId, chatId: chat.chatId }).toEqual({
      operator: 734_512,
      botId: 2_318_907,
      chatId: 5_402_118,
    });
    expect(() => portal.createOperator({ userId: 734_512 })).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
    expect(() => portal.createClientChat({ chatId: 5_402_118, lineId, botId: bot.botId })).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
    await emulator.close();
  });

  it('serves every method of the Open Lines bot lifecycle', () => {
    expect(servedMethods).toEqual(
      expect.arrayContaining([
        'imopenlines.bot.session.transfer',
        'imopenlines.bot.session.operator',
        'imopenlines.bot.session.finish',
        'imopenlines.bot.session.message.send',
        'imopenlines.dialog.get',
        'imbot.chat.leave',
        'imbot.v2.Chat.leave',
        'imbot.message.add',
        'imopenlines.operator.answer',
        'imopenlines.operator.skip',
        'imopenlines.operator.finish',
        'imbot.v2.Event.get',
        'batch',
        'server.time',
        'profile',
      ]),
    );
  });
});

describe('baton-emulator', () => {
  it('runs standalone, prints its URL and a seeded portal, and stops on SIGTERM', async () => {
    const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', cli, '--port', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('\n')) resolve(out.split('\n')[0] ?? '');
      });
      child.once('exit', (code) => reject(new Error(`exited with ${code}`)));
    });
    const seeded = JSON.parse(line) as { url: string; webhook: string };
    expect(seeded.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await callForm(`${seeded.webhook}imopenlines.config.list.get`)).status).toBe(200);
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('serves HTTPS with --tls and prints the certificate to trust', async () => {
    const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', cli, '--tls'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('\n')) resolve(out.split('\n')[0] ?? '');
      });
      child.once('exit', (code) => reject(new Error(`exited with ${code}`)));
    });
    const seeded = JSON.parse(line) as { url: string; webhook: string; ca: string };
    expect(seeded.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const status = await new Promise<number>((resolve, reject) => {
      const agent = new Agent({ ca: seeded.ca });
      request(`${seeded.webhook}server.time`, { method: 'POST', agent }, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      })
        .on('error', reject)
        .end();
    });
    expect(status).toBe(200);
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('exits with 1 and the usage on a bad argument, without leaving a server behind', async () => {
    const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
    for (const args of [
      ['--events-version', '3'],
      ['--bot-handler', 'not a url'],
    ]) {
      const child = spawn(process.execPath, ['--import', 'tsx', cli, ...args], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
      });
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      expect(code).toBe(1);
      expect(stdout).toBe('');
      expect(stderr).toContain('Usage: baton-emulator');
    }
  });
});
