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
    'Each message is one `batonCommit` (the worker’s chat cache spares the read); anything above 1 is the started worker’s background claims falling into the same window. See the breakdown below.',
  rtPerHandOver:
    'See the breakdown below: the commits (`batonCommit`, one round trip each: the portal’s indexes change in the same script); per outbox call (the transfer, then the bot’s removal) a rate-limit acquire, a batch claim, a start mark and a completion; and a chat read (`HMGET`) before each call, which checks that the chat still waits for it.',
  engineOverCas:
    'Both sides make one round trip per event and write the same 46 B snapshot; the difference is work in the worker’s process, where the engine spends what the ceiling does not: the event validated at the engine’s entry and the commit again at the store’s (`parseCommit`), the snapshot made compact, a commit of 9 keys and about 25 arguments (the dedupe id, history entry, state and busy bookkeeping, the work announcement) against the CAS script’s 1 and 2, the chat cache and the engine’s events. The ceiling’s own cost is mostly XState’s `transition()`, which builds the machine’s initial snapshot on every call; the engine avoids that. See the profile below. The ratio of each round is in the notes below: it moves by a tenth or more from run to run on a shared machine.',
  engineOverLock:
    'As for the CAS ceiling: the difference is the engine’s work in the worker’s process, not round trips (the lock peer makes four per event, the engine one). The ratio of each round is in the notes below.',
  memoryEngineOverTransition:
    'Each dispatch validates the event, turns the machine’s actions into instructions, and the memory store validates the commit and keeps the snapshot as JSON text (stringify and parse per event).',
  bytesBot1:
    'See where the bytes go below. By default a chat keeps a history of its last 20 commits (`historyLength`, the timeline `baton inspect` prints): its list key costs about 300 B from the first entry on. The event id sits in a per-chat dedupe set for the dedupe window (`dedupeTtlMs`, 7 days by default), and the chat in its portal’s state index. The chat hash itself stays a listpack (its snapshot leaves out every field at its initial value). With the history off the figure is in the table below.',
  bytesBot11:
    'Every message adds its event id to the dedupe set, which keeps it for the dedupe window (7 days by default; exactly-once delivery is checked against it, so the set grows with the messages of that window by design, about 30 B each), and an entry to the history (up to `historyLength`, about 110 B each). Neither is flat in the number of messages inside the window; both are bounded by it.',
  bytesAwaiting:
    'A waiting chat’s snapshot (about 250 B: its plan, step and timer ids) is longer than `hash-max-listpack-value` (64 B), which turns the chat hash into a full hashtable (about 700 B); its confirmation timer adds a hash of its own and a ref in the portal’s timer index (about 300 B together); the history adds about 110 B per commit. See where the bytes go below.',
  fireOverDispatch:
    'The dispatch rate is of client messages to chats the worker has cached, one commit each. A fired timer is for a chat this worker has not seen: the claim (a batch of refs, then one script for the batch that leases the timers and reads their chats) and, per fire, restoring and validating the snapshot it read, then the commit, which also completes the timer. In a profiled run the worker’s process, not Redis, was the limit: Redis was busy for under a third of the firing time, and garbage collection took about a sixth of the worker’s CPU.',
  lateness10kP99:
    'A backlog this size drains at the firing rate above. On this shared 2-core machine that rate varied between about 5,500 and 9,000 fires a second from run to run, and this p99 with it, between about 1.1 and 1.8 s.',
  lateness1kP99: 'A backlog this size drains at the firing rate above.',
  idleCommandsPerSecond:
    'An idle started worker waits for work hints (pub/sub) and sweeps every 5 s: a claim per portal for the outbox and the timers, and a read of the portal set.',
  redisCpuPerEvent:
    'The commit script runs about ten server commands per client message (see `Redis commands per event` below: TIME, the dedupe check, the chat read and write, the dedupe insert and expiry, the history push and trim).',
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

  const bytes = breakdowns.bytes ?? [];
  lines.push('## Where a chat’s bytes go', '');
  lines.push(
    'Bytes per chat with the store’s defaults, by the last segment of the key name (`MEMORY USAGE`; the portal’s shared indexes count by their share):',
    '',
  );
  lines.push(
    '| keys named … | idle in bot, 1 message | idle in bot, 11 messages | awaiting an operator |',
    '|---|---|---|---|',
  );
  for (const [kind, one, eleven, waiting] of bytes) {
    lines.push(`| \`${kind}\` | ${fmt(one)} B | ${fmt(eleven)} B | ${fmt(waiting)} B |`);
  }
  lines.push('');

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
    '- Throughput: one worker (not started: client messages in `bot` make no background work), 32 events in flight over 2,000 chats, chats cached. In the same run, the same events with the same machine: the ceiling (XState’s `transition()` plus one CAS script writing a snapshot of the size the engine stores for these chats), a per-chat lock (SET NX, GET, SET, DEL) and WATCH/MULTI (one connection per event in flight), both storing XState’s persisted snapshot as a user would. The engine, the ceiling and the lock run three rounds each, interleaved, and their medians are compared. Every client uses the store’s `recommendedClientOptions` (auto-pipelining included). Redis CPU per event and commands per event come from `INFO cpu` and `INFO commandstats` around the engine’s run. 1 and 2 worker processes each run the same load on chats of their own.',
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
