// Turns the benchmarks' figures into docs/benchmarks.md. The structure is fixed (the same
// sections and rows in the same order on every run); only the figures change. A goal that is not
// met gets its "why" from `explain` below: keep those texts factual, and update them when the
// code they describe changes.

/** The goal table's rows, in the order of the performance issue's table. */
const goalRows = [
  'rtPerMessage',
  'rtPerHandOver',
  'engineOverCas',
  'engineOverLock',
  'memoryEngineOverTransition',
  'bytesBot1',
  'bytesBot11',
  'bytesAwaiting',
  'fireOverDispatch',
  'lateness10kP99',
  'lateness1kP99',
  'idleCommandsPerSecond',
  'redisCpuPerEvent',
  'pollRequestsPerInterval',
];

/**
 * Why a goal is missed: what the code does today that costs the difference. Printed only next to
 * a goal the run did not meet.
 */
export const explain = {
  rtPerMessage:
    'Each message is one `batonCommit` (the worker’s chat cache spares the read); the rest are the started worker’s background claims (`batonIndexClaim`), which fall into the same window: the outbox and timer loops each walk all 16 shards, one round trip per shard, every 200 ms while idle. See the breakdown below.',
  rtPerHandOver:
    'See the breakdown below: four commits (`batonCommit`); around each commit that writes outbox entries or timers, a reserve and a settle of the shard index refs (`batonIndexReserve`, `batonIndexSettle`); a state-index `MULTI/EXEC` per state change; per outbox call (the transfer, then the bot’s removal) a rate-limit acquire, a claim, a start mark, a completion and an index fix; two chat reads (`HMGET`); and the background loops’ shard claims (`batonIndexClaim`) while the hand-over runs.',
  engineOverCas:
    'The commit script runs many more server commands than the CAS script’s two, HGET and HSET (see `Redis commands per event` below: dedupe trim, insert and expiry, HSETNX, history push and trim, PERSIST of four keys for a chat not at rest, busy counts when the holder changes), and the event is validated at the engine’s entry and again at the store’s (`parseCommit`). See the profile below.',
  engineOverLock:
    'As for the CAS ceiling: the cost is the commit script and the validations, not round trips (the lock peer makes four per event, the engine one).',
  memoryEngineOverTransition:
    'Each dispatch validates the event, turns the machine’s actions into instructions, and the memory store validates the commit and keeps the snapshot as JSON text (stringify and parse per event).',
  bytesBot1:
    'The chat hash holds the snapshot (about 600 B of JSON) in a field longer than `hash-max-listpack-value` (64 B), which turns the hash into a full hashtable; a dedupe sorted set, a history list and a state-index entry come with every chat.',
  bytesBot11:
    'As after 1 message; and every message adds its event id to the dedupe set (kept for the dedupe window, 7 days by default) and an entry to the history (up to 20).',
  bytesAwaiting:
    'As for a chat in `bot`, plus the confirmation timer and outbox records (JSON in their own hashes) and their refs in the shard indexes.',
  fireOverDispatch:
    'A fire is a claim (the loop walks the shards one at a time and waits for each batch of 32 before claiming again), a dispatch on a chat this worker has not cached (a read, then the commit) and a completion (script + index fix).',
  lateness10kP99: 'A backlog this size drains at the firing rate above.',
  lateness1kP99:
    'The idle loop notices due timers on its next poll (200 ms), then drains them at the firing rate above.',
  idleCommandsPerSecond:
    'An idle worker’s outbox and timer loops each claim from all 16 shards every 200 ms (`worker.pollIntervalMs`), one `batonIndexClaim` per shard: 2 × 16 × 5 = 160 a second.',
  redisCpuPerEvent:
    'The commit script runs many server commands per event (see `Redis commands per event` below: dedupe trim, insert and expiry, HSETNX, history push and trim, PERSIST of four keys for a chat not at rest).',
  pollRequestsPerInterval:
    'Polls of one portal that come due together are read in groups of up to 50 per `batch`; a group split over the interval’s grid costs one more request.',
};

const fmt = (value) => {
  if (typeof value !== 'number' || !Number.isFinite(value)) return String(value);
  if (Math.abs(value) >= 100) return value.toFixed(0);
  if (Math.abs(value) >= 10) return value.toFixed(1);
  return value.toFixed(2);
};
const met = (figure) =>
  figure.goal.better === 'lower' ? figure.value <= figure.goal.limit : figure.value >= figure.goal.limit;
const cell = (text) => String(text).replaceAll('|', '\\|');

/** Renders the document from every benchmark's results (`{ name, figures, machine?, profile?, breakdowns? }`). */
export function renderBenchmarks(results, { scale, date, explain: why }) {
  const figures = new Map(results.flatMap((result) => result.figures.map((figure) => [figure.id, figure])));
  const machine = results.find((result) => result.machine)?.machine ?? {};
  const profile = results.find((result) => result.profile)?.profile ?? [];
  const breakdowns = results.find((result) => result.breakdowns)?.breakdowns ?? {};
  const lines = [];
  lines.push('# Benchmarks', '');
  lines.push(
    'Generated by `pnpm bench` (`scripts/bench-all.mjs`, texts in `scripts/bench-report.mjs`); do not edit by hand. Every figure below was measured in one run, ceilings and peers included, so ratios compare like with like.',
    '',
  );
  if (scale !== 1) {
    lines.push(
      `**Smoke run (BENCH_SCALE=${scale}): counts are shrunk; the figures only show that the benchmark runs.**`,
      '',
    );
  }
  lines.push('## Machine', '');
  lines.push(`- CPU: ${machine.cpu ?? 'unknown'} (${machine.cores ?? '?'} cores)`);
  lines.push(`- Node ${machine.node ?? process.version}, Redis ${machine.redis ?? 'unknown'} on loopback`);
  lines.push(`- Run at ${date}`, '');

  lines.push('## Goals', '');
  lines.push('| figure | measured | goal | | why, when not met |', '|---|---|---|---|---|');
  let missed = 0;
  for (const id of goalRows) {
    const figure = figures.get(id);
    if (figure === undefined) {
      missed += 1;
      lines.push(`| ${id} | not measured | | **NOT MET** | the benchmark that measures it did not report |`);
      continue;
    }
    const ok = met(figure);
    if (!ok) missed += 1;
    const goal = `${figure.goal.better === 'lower' ? '<=' : '>='} ${fmt(figure.goal.limit)} ${figure.unit}`;
    const reason = ok ? '' : (why[id] ?? 'no explanation recorded');
    lines.push(
      `| ${cell(figure.label)} | ${fmt(figure.value)} ${figure.unit} | ${goal} | ${ok ? 'MET' : '**NOT MET**'} | ${cell(reason)} |`,
    );
  }
  lines.push(
    '',
    missed === 0 ? 'Every goal is met.' : `${missed} of ${goalRows.length} goals are not met.`,
    '',
  );

  for (const [name, title] of [
    ['handOver', 'Where a LEAVE=N hand-over’s round trips go'],
    ['message', 'Where a client message’s round trips go'],
  ]) {
    const rows = breakdowns[name] ?? [];
    lines.push(`## ${title}`, '');
    lines.push(
      'Round trips per chat in that phase of the mix, by command, and by script name for `EVALSHA` (the package’s scripts mapped by their SHA1); `EVAL` is a script’s first run on a server that did not know it yet, `MULTI/EXEC` a transaction counted once:',
      '',
    );
    lines.push('| command or script | round trips per chat |', '|---|---|');
    for (const [command, count] of rows) lines.push(`| \`${command}\` | ${fmt(count)} |`);
    lines.push('');
  }

  lines.push('## Other figures', '');
  lines.push('| figure | measured | note |', '|---|---|---|');
  for (const figure of figures.values()) {
    if (figure.goal === undefined)
      lines.push(
        `| ${cell(figure.label)} | ${fmt(figure.value)} ${figure.unit} | ${cell(figure.note ?? '')} |`,
      );
  }
  for (const figure of figures.values()) {
    if (figure.goal !== undefined && figure.note !== undefined)
      lines.push(`| ${cell(figure.label)} | (above) | ${cell(figure.note)} |`);
  }
  lines.push('');

  lines.push('## Where a worker’s time goes', '');
  lines.push(
    'CPU profile of one worker dispatching client messages on Redis (32 in flight, chats cached), functions by self time:',
    '',
  );
  lines.push('| self % | function |', '|---|---|');
  for (const line of profile) lines.push(`| ${line.selfPercent.toFixed(1)} | \`${line.fn}\` |`);
  lines.push('');

  lines.push('## How figures are taken', '');
  lines.push(
    '- The mix, per chat, on one started worker: 16 client messages while the bot holds it (the first creates the chat and is not counted), a LEAVE=N transfer to a user, the operator’s first message (the bot is removed), `session.finished`, and a client message opening the next session. The transport is the testing fake (answers at once) behind a Redis rate limiter that never refuses.',
    '- Round trips are counted from outside with `MONITOR`: every command of every connection but the benchmark’s own, a `MULTI … EXEC` block as one; commands that scripts run inside Redis are not round trips. A phase’s count includes the started worker’s background loops during that phase. `MONITOR` runs only in this part: throughput is measured without it.',
    '- Bytes per chat: every key whose name contains the run’s prefix, found with `SCAN`, summed with `MEMORY USAGE key SAMPLES 0`, divided by the number of chats (so shared indexes count by their share). No key layout is assumed.',
    '- Throughput: one worker (not started: client messages in `bot` make no background work), 32 events in flight over 2,000 chats, chats cached. In the same run, the same events with the same machine: the ceiling (`transition()` plus one CAS script writing the persisted snapshot), a per-chat lock (SET NX, GET, SET, DEL) and WATCH/MULTI (one connection per event in flight). Redis CPU per event and commands per event come from `INFO cpu` and `INFO commandstats` around the engine’s run. 1 and 2 worker processes each run the same load on chats of their own.',
    '- Timers: N deadlines due at one moment, set through the store on existing chats (timers the chat does not wait for, so a fire changes no state but is still claimed, dispatched, committed and completed), fired by a started worker that was idle until then; lateness is the `timer.fired` time minus the deadline.',
    '- Idle: a started worker with no work, over about 10 s: the commands it sends (`MONITOR`), and the server’s commands from `INFO commandstats` (scripts’ inner commands included).',
    '- `dialog.get` polling: `packages/transport-http/bench/dialog-polling.bench.ts`, the engine against the portal emulator over HTTP.',
    '- Memory-store engine against bare `transition()`: `packages/core/bench/dispatch.bench.ts`.',
    '',
  );
  lines.push('## Reproduce', '');
  lines.push(
    '```sh',
    'pnpm install --frozen-lockfile',
    'pnpm bench                                    # builds, runs packages/*/bench/*.bench.ts, writes this file',
    'BENCH_SCALE=0.02 node scripts/bench-all.mjs   # a smoke (CI): small counts, writes to a temporary file',
    '```',
    '',
    'Run it on a quiet machine: other processes on the same cores change every figure. `REDIS_URL` points the Redis benchmarks at a server of your own (it must be otherwise idle: INFO and MONITOR see every client); without it they start a throwaway `redis-server`.',
    '',
  );
  return lines.join('\n');
}
