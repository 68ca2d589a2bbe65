// Installs the packages as a user would, and uses them: packs every published package (after
// `pnpm build`), installs the tarballs into a scratch project in a temporary directory outside
// the workspace, type-checks a bot there with strict TypeScript under `module: NodeNext` and
// under `moduleResolution: Bundler`, imports and `require()`s every entry point, and bundles the
// bot with esbuild and runs the bundle against the portal emulator. Needs the npm registry only
// for TypeScript, esbuild, ioredis and @types/node. Exits non-zero on the first failure.
//
// `node scripts/pack-check.mjs [--keep]`: `--keep` leaves the scratch project for a look.

import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const keep = process.argv.includes('--keep');
const pnpmVersion = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).packageManager.split('@')[1];
const rootDevDependencies = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).devDependencies;

const published = readdirSync(join(root, 'packages'))
  .map((name) => join(root, 'packages', name))
  .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) }))
  .filter(({ manifest }) => !manifest.private);

// `@baton/core/testing` runs vitest's `describe`/`it` when imported: it is loaded by a test runner,
// never by a plain import. Its types are still checked.
const runtimeSkip = new Set(['@baton/core/testing']);
const entryPoints = published.flatMap(({ manifest }) =>
  Object.keys(manifest.exports)
    .filter((subpath) => subpath !== './package.json')
    .map((subpath) => (subpath === '.' ? manifest.name : `${manifest.name}/${subpath.slice(2)}`)),
);

const work = mkdtempSync(join(tmpdir(), 'baton-pack-check-'));
const run = (command, args, cwd, extra = {}) => {
  console.log(`$ ${command} ${args.join(' ')}`);
  return execFileSync(command, args, { cwd, stdio: 'inherit', ...extra });
};

try {
  // 1. Pack: pnpm writes the workspace ranges (`workspace:^`) as the versions they publish as.
  const tarballs = join(work, 'tarballs');
  mkdirSync(tarballs);
  const dependencies = {};
  for (const { dir, manifest } of published) {
    const before = new Set(readdirSync(tarballs));
    run('npx', ['-y', `pnpm@${pnpmVersion}`, 'pack', '--pack-destination', tarballs], dir, {
      stdio: 'ignore',
    });
    const tarball = readdirSync(tarballs).find((name) => !before.has(name));
    if (!tarball) throw new Error(`pnpm pack wrote no tarball for ${manifest.name}`);
    dependencies[manifest.name] = `file:${join(tarballs, tarball)}`;
  }

  // 2. The consumer: its own project, its own node_modules, npm as a user's default client.
  const app = join(work, 'app');
  mkdirSync(join(app, 'src'), { recursive: true });
  const ioredisRange = JSON.parse(readFileSync(join(root, 'packages', 'store-redis', 'package.json'), 'utf8'))
    .peerDependencies.ioredis;
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify(
      {
        name: 'baton-consumer',
        private: true,
        type: 'module',
        dependencies: { ...dependencies, ioredis: ioredisRange },
        devDependencies: {
          typescript: rootDevDependencies.typescript,
          esbuild: rootDevDependencies.esbuild,
          '@types/node': rootDevDependencies['@types/node'],
        },
        // The tarballs name each other by version (`@baton/core: ^0.1.0`): the local ones answer.
        overrides: { '@baton/core': dependencies['@baton/core'] },
      },
      null,
      2,
    ),
  );
  const strict = {
    target: 'ES2022',
    lib: ['ES2023'],
    types: ['node'],
    strict: true,
    noUncheckedIndexedAccess: true,
    exactOptionalPropertyTypes: true,
    verbatimModuleSyntax: true,
    isolatedModules: true,
    noEmit: true,
    // As most projects do: some dependencies' declarations (xstate's, ioredis') do not pass
    // `exactOptionalPropertyTypes`. Baton's own are checked below with skipLibCheck off.
    skipLibCheck: true,
  };
  writeFileSync(
    join(app, 'tsconfig.nodenext.json'),
    JSON.stringify({
      compilerOptions: { ...strict, module: 'NodeNext', moduleResolution: 'NodeNext' },
      include: ['src'],
    }),
  );
  writeFileSync(
    join(app, 'tsconfig.bundler.json'),
    JSON.stringify({
      compilerOptions: { ...strict, module: 'ESNext', moduleResolution: 'Bundler' },
      include: ['src'],
    }),
  );
  writeFileSync(join(app, 'src', 'bot.ts'), botSource());
  writeFileSync(join(app, 'src', 'entries.ts'), entriesSource());
  writeFileSync(join(app, 'run-bundle.mjs'), runBundleSource());
  run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], app);

  // 3. Types, both resolutions.
  run(join(app, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.nodenext.json'], app);
  run(join(app, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.bundler.json'], app);
  checkOwnDeclarations(app);

  // 4. Every entry point, by import and by require() (Node's require(esm)).
  for (const entry of entryPoints.filter((name) => !runtimeSkip.has(name))) {
    const imported = `import(${JSON.stringify(entry)}).then((m) => { if (Object.keys(m).length === 0) throw new Error('no exports'); console.log('import ok:', ${JSON.stringify(entry)}); })`;
    run(process.execPath, ['--input-type=module', '-e', imported], app);
    const required = `const m = require(${JSON.stringify(entry)}); if (Object.keys(m).length === 0) throw new Error('no exports'); console.log('require ok:', ${JSON.stringify(entry)});`;
    run(process.execPath, ['--no-warnings', '-e', required], app);
  }

  // 5. The bot, bundled into one ESM file, started against the emulator.
  run(
    join(app, 'node_modules', '.bin', 'esbuild'),
    [
      'src/bot.ts',
      '--bundle',
      '--platform=node',
      '--format=esm',
      '--target=node20',
      '--outfile=dist/bot.mjs',
    ],
    app,
  );
  await runBundle(app);
  console.log('pack-check: ok');
} finally {
  if (keep) console.log(`scratch project left at ${work}`);
  else rmSync(work, { recursive: true, force: true });
}

/**
 * Type-checks with skipLibCheck off and fails on any error but those inside other packages'
 * declarations: Baton's `.d.ts` files must pass a strict consumer's check.
 */
function checkOwnDeclarations(app) {
  writeFileSync(
    join(app, 'tsconfig.libcheck.json'),
    JSON.stringify({ extends: './tsconfig.nodenext.json', compilerOptions: { skipLibCheck: false } }),
  );
  console.log('$ tsc -p tsconfig.libcheck.json (errors outside node_modules/@baton are ignored)');
  let output = '';
  try {
    execFileSync(join(app, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.libcheck.json'], {
      cwd: app,
      encoding: 'utf8',
    });
  } catch (error) {
    output = String(error.stdout ?? '');
  }
  const errors = output.split('\n').filter((line) => /error TS\d+/.test(line));
  const own = errors.filter((line) => !/^node_modules\/(?!@baton\/)/.test(line));
  console.log(`${errors.length - own.length} error(s) in other packages' declarations ignored`);
  if (own.length > 0) throw new Error(`Baton's declarations fail a strict check:\n${own.join('\n')}`);
}

/** Runs `run-bundle.mjs`: the emulator from the installed testkit, the bundled bot as a child. */
function runBundle(app) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['run-bundle.mjs'], { cwd: app, stdio: 'inherit' });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolvePromise();
      else reject(new Error(`the bundled bot's run failed (${signal ?? `exit ${code}`})`));
    });
  });
}

function entriesSource() {
  return `${entryPoints.map((entry, index) => `import * as entry${index} from '${entry}';`).join('\n')}
import { Redis } from 'ioredis';
import { createRedisStore } from '@baton/store-redis';

// A client the user made is the client the store types against (one ioredis, a peer).
export const storeWithOwnClient = (redis: Redis) => createRedisStore({ redis, prefix: 'consumer' });
export const entries = [${entryPoints.map((_, index) => `entry${index}`).join(', ')}];
`;
}

function botSource() {
  return `import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createEngine, type PlanStep } from '@baton/core';
import { createBitrixTransport, createNodeEventHandler } from '@baton/transport-http';

const env = (name: string): string => {
  const value = process.env[name];
  if (value === undefined) throw new Error(\`\${name} is not set\`);
  return value;
};
const memberId = env('B24_MEMBER_ID');
const operatorId = Number(env('B24_OPERATOR_ID'));

const transport = createBitrixTransport({
  portals: {
    [memberId]: {
      auth: { type: 'webhook', url: env('B24_WEBHOOK_URL') },
      bot: { id: Number(env('B24_BOT_ID')), clientId: env('B24_BOT_CLIENT_ID') },
    },
  },
});
const engine = createEngine({ transport, worker: { pollIntervalMs: 20 } });
engine.on('error', (error, context) => console.error('engine error', context.stage, error));
engine.on('transfer.succeeded', ({ key }) => console.log(\`transferred \${key.chatId}\`));
engine.start();

const plan: PlanStep[] = [{ target: { kind: 'user', userId: operatorId }, leave: false, confirmationTimeoutMs: 60_000 }];
const listener = createNodeEventHandler({
  applicationTokens: { [memberId]: env('B24_APPLICATION_TOKEN') },
  accept: async (event) => {
    const result = await engine.dispatch(event);
    if (result.route === 'bot' && event.type === 'message' && /operator/i.test(event.text ?? '')) {
      await engine.dispatch({ type: 'transfer.request', id: \`handover-\${event.id}\`, portal: event.portal, chatId: event.chatId, plan });
    }
  },
});
const server = createServer(listener);
server.listen(0, '127.0.0.1', () => {
  process.send?.({ url: \`http://127.0.0.1:\${(server.address() as AddressInfo).port}/\` });
});
process.on('message', async (message) => {
  if (message !== 'stop') return;
  server.close();
  await engine.stop();
  await transport.close();
  process.exit(0);
});
`;
}

function runBundleSource() {
  return `import { fork } from 'node:child_process';
import { createEmulator } from '@baton/testkit';

const emulator = await createEmulator();
const portal = emulator.createPortal();
const operator = portal.createOperator({ name: 'Anna' });
const line = portal.createLine({ queue: [operator.userId] });
const webhook = portal.createWebhook();
const clientId = 'pack-check-bot';
const env = {
  ...process.env,
  B24_MEMBER_ID: portal.memberId,
  B24_WEBHOOK_URL: webhook.baseUrl,
  B24_APPLICATION_TOKEN: portal.applicationToken,
  B24_BOT_CLIENT_ID: clientId,
  B24_OPERATOR_ID: String(operator.userId),
};
// An explicit bot id, so that the bot knows it before it listens and registers its handler.
const botId = 100000 + Math.floor(Math.random() * 900000);
const child = fork('dist/bot.mjs', { env: { ...env, B24_BOT_ID: String(botId) } });
const url = await new Promise((resolve, reject) => {
  child.once('message', (message) => resolve(message.url));
  child.once('exit', (code) => reject(new Error(\`the bundled bot exited with \${code}\`)));
});
const listening = portal.registerBot({ botId, clientId, eventHandlerUrl: url });
const chat = portal.createClientChat({ lineId: line.lineId, botId: listening.botId });
await portal.clientWrites(chat.chatId, 'An operator, please');
const deadline = Date.now() + 10_000;
while (portal.chat(chat.chatId).waitingOperatorId !== operator.userId) {
  if (Date.now() > deadline) throw new Error('the bundled bot did not hand the chat over');
  await new Promise((resolve) => setTimeout(resolve, 50));
}
console.log(\`bundled bot handed chat \${chat.chatId} to operator \${operator.userId}\`);
child.send('stop');
await new Promise((resolve) => child.once('exit', resolve));
await emulator.close();
`;
}
