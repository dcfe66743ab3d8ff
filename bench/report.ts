import os from 'node:os';
import { addRefusals, CHARGER_MAX_CURRENT_A, FIRST_PROFILE_MS, QUIET_MS, SITE_CURRENT_PER_CHARGER_A, type BalancingResult, type ChargerMoment, type Refusals, type SettlingFigures } from './balancing.ts';
import type { ClusterCpu, ClusterResult, LatencyFigures } from './cluster.ts';
import type { CpuSplit } from './cpu.ts';
import type { FailureCounts } from './load.ts';
import { CONNECT_CONCURRENCY, WARMUP_MS, type BenchOptions, type Measurements } from './measure.ts';
import { ratio } from './stats.ts';

/** One row of the table: what ran, and what came of it. */
export interface Row {
  key: 'a' | 'b' | 'c';
  label: string;
  /** The server's database runs in processes of its own, which count as "other processes". */
  separateDatabase: boolean;
  outcome: { ok: true; measurements: Measurements } | { ok: false; error: string };
}

/** The cluster row (d): several nodes over NATS, measured apart from the rows above. */
export interface ClusterRow {
  label: string;
  outcome: { ok: true; result: ClusterResult } | { ok: false; error: string } | { ok: false; skipped: string };
}

/** The balancing part (e): each site size on one server kind. */
export interface BalancingRow {
  label: string;
  /** The database server's processes count among "others", so its CPU is no sign of interference. */
  separateDatabase: boolean;
  outcome: { ok: true; results: BalancingResult[] } | { ok: false; error: string };
}

const TARGET_RATIO_TO_OCPP_RPC = 1.0;
/** A command through another node than the charger's: its p99 at most this many times the p99 through the charger's own node. */
const TARGET_REMOTE_P99_RATIO = 2;
const TARGET_BYTES_PER_IDLE_CHARGER = 16 * 1024;
const TARGET_BOOT_SECONDS = 3;
const TARGET_BOOT_CHARGERS = 5000;
/** More than this (in cores) used by other processes during a phase makes the run suspect. */
const OTHERS_WARNING_CORES = 0.25;

const integer = (n: number) => Math.round(n).toLocaleString('en-US');
const ms = (n: number) => (Number.isNaN(n) ? '–' : n.toFixed(n < 10 ? 2 : 1));
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const times = (n: number | undefined) => (n === undefined ? '–' : `${n.toFixed(2)}×`);
const cores = (n: number | undefined) => (n === undefined ? '?' : n.toFixed(2));
const cpuSplit = (cpu: CpuSplit) => `${cores(cpu.server)} / ${cores(cpu.loadGenerator)} / ${cores(cpu.others)}`;

function failureTotal(counts: FailureCounts): number {
  return Object.values(counts).reduce((sum, n) => sum + n, 0);
}

/** "0", or e.g. "12 (connect+boot: 10 timeout; idle: 2 refused)". */
function errorsCell(m: Measurements): string {
  const phases = { heartbeat: m.heartbeat.failures, 'connect+boot': m.boot.failures, idle: m.idle.failures };
  const parts = Object.entries(phases)
    .filter(([, counts]) => failureTotal(counts) > 0)
    .map(([phase, counts]) => `${phase}: ${Object.entries(counts).map(([kind, n]) => `${n} ${kind}`).join(', ')}`);
  const total = Object.values(phases).reduce((sum, counts) => sum + failureTotal(counts), 0);
  return parts.length ? `${total} (${parts.join('; ')})` : '0';
}

/** Throughput ratio (higher is better), and connect+boot time ratio (lower is better). */
function versus(m: Measurements, reference: Measurements | undefined): string {
  if (!reference) return '–';
  const throughput = times(ratio(m.heartbeat.callsPerSecond, reference.heartbeat.callsPerSecond));
  return `${throughput} (boot ${times(ratio(m.boot.seconds, reference.boot.seconds))})`;
}

function measured(rows: Row[], key: Row['key']): Measurements | undefined {
  const row = rows.find((r) => r.key === key);
  return row?.outcome.ok ? row.outcome.measurements : undefined;
}

/**
 * The most CPU other processes took during a measured phase, when that is enough to
 * distort results. A separate database server is busy itself during connect+boot, so that
 * phase is not evidence there.
 */
function interference(rows: Row[]): number | undefined {
  const others = rows.flatMap((row) => {
    if (!row.outcome.ok) return [];
    const { heartbeat, boot } = row.outcome.measurements;
    return row.separateDatabase ? [heartbeat.cpu.others ?? 0] : [heartbeat.cpu.others ?? 0, boot.cpu.others ?? 0];
  });
  const worst = Math.max(0, ...others);
  return worst > OTHERS_WARNING_CORES ? worst : undefined;
}

const pass = (ok: boolean | undefined) => (ok === undefined ? 'n/a' : ok ? 'PASS' : 'FAIL');

function targetLines(row: Row, m: Measurements, ocppRpc: Measurements | undefined, options: BenchOptions): string[] {
  const vsRpc = ratio(m.heartbeat.callsPerSecond, ocppRpc?.heartbeat.callsPerSecond);
  const bootErrors = failureTotal(m.boot.failures);
  // Connect+boot time grows with the count, so a run of another size says nothing about the target.
  const bootVerdict = options.boots === TARGET_BOOT_CHARGERS
    ? pass(m.boot.seconds <= TARGET_BOOT_SECONDS && bootErrors === 0)
    : `n/a (this run booted ${integer(options.boots)})`;
  return [
    `Targets for ${row.label}:`,
    `- heartbeat throughput ≥ ${TARGET_RATIO_TO_OCPP_RPC.toFixed(1)}× ocpp-rpc strict: ${vsRpc === undefined ? 'ocpp-rpc strict not measured' : times(vsRpc)} — ${pass(vsRpc === undefined ? undefined : vsRpc >= TARGET_RATIO_TO_OCPP_RPC)}`,
    `- ≤ ${kb(TARGET_BYTES_PER_IDLE_CHARGER)} per idle charger: ${kb(m.idle.bytes)} — ${pass(m.idle.bytes <= TARGET_BYTES_PER_IDLE_CHARGER)}`,
    `- ${integer(TARGET_BOOT_CHARGERS)} connect+boot ≤ ${TARGET_BOOT_SECONDS} s with zero errors: ${m.boot.seconds.toFixed(2)} s, ${bootErrors} errors — ${bootVerdict}`,
  ];
}

function summaryTable(rows: Row[], options: BenchOptions): string[] {
  const bare = measured(rows, 'a');
  const ocppRpc = measured(rows, 'b');
  const lines = [
    `| server | heartbeat calls/s (${integer(options.chargers)} chargers) | p50 ms | p99 ms | memory per idle charger | ${integer(options.boots)} connect+boot | errors | vs bare ws | vs ocpp-rpc strict |`,
    '|---|---:|---:|---:|---:|---:|---|---:|---:|',
  ];
  for (const row of rows) {
    if (!row.outcome.ok) {
      lines.push(`| ${row.label} | failed | – | – | – | – | see below | – | – |`);
      continue;
    }
    const m = row.outcome.measurements;
    lines.push(`| ${row.label} | ${integer(m.heartbeat.callsPerSecond)} | ${ms(m.heartbeat.p50Ms)} | ${ms(m.heartbeat.p99Ms)} | ${kb(m.idle.bytes)} | ${m.boot.seconds.toFixed(2)} s | ${errorsCell(m)} | ${versus(m, bare)} | ${versus(m, ocppRpc)} |`);
  }
  return lines;
}

function method(options: BenchOptions): string {
  return `Each server runs in a child process of its own; the load comes from the bench process, over raw \`ws\` clients offering \`ocpp1.6\`. ` +
    `Heartbeats: each charger boots, then sends a Heartbeat and waits for the answer, in a loop, for ${options.seconds} s after a ${WARMUP_MS / 1000} s warm-up. ` +
    `Memory: the server process's heapUsed + external after GC with ${integer(options.idle)} booted idle chargers, minus before, per charger (KB = 1,024 bytes). ` +
    `Connect+boot: from the first connection attempt until every charger has an Accepted BootNotification answer, at most ${CONNECT_CONCURRENCY} in progress. ` +
    `Ratios: heartbeat throughput ÷ that server's (higher is better); in brackets, connect+boot time ÷ that server's (lower is better).`;
}

/** Where the time and memory went: to read the summary, and to find the bottleneck. */
function detailTable(rows: Row[]): string[] {
  const lines = [
    'CPU: cores busy on average, server / load generator / other processes (a PostgreSQL server among them).',
    '',
    '| server | server CPU per heartbeat | CPU during heartbeats | server CPU per connect+boot | CPU during connect+boot | per idle charger: heap / external / RSS |',
    '|---|---:|---:|---:|---:|---:|',
  ];
  for (const row of rows) {
    if (!row.outcome.ok) continue;
    const { heartbeat: h, boot: b, idle: i } = row.outcome.measurements;
    lines.push(`| ${row.label} | ${h.serverCpuMicrosPerCall.toFixed(1)} µs | ${cpuSplit(h.cpu)} | ${(b.serverCpuMicrosPerBoot / 1000).toFixed(2)} ms | ${cpuSplit(b.cpu)} | ${kb(i.heap)} / ${kb(i.external)} / ${kb(i.rss)} |`);
  }
  return lines;
}

/** The charging data path, as ratios to the same server's Heartbeat throughput in this run. */
const INGEST_TARGETS = {
  postgres: { meterValues: 0.2, startStop: 0.06 },
  embedded: { meterValues: 0.08, startStop: 0.03 },
};

function ingestTable(rows: Row[], options: BenchOptions): string[] {
  const measuredRows = rows.flatMap((row) => (row.outcome.ok && row.outcome.measurements.meterValues ? [{ row, m: row.outcome.measurements }] : []));
  if (measuredRows.length === 0) return [];
  const lines = [
    '### The charging data path',
    '',
    `| server | Heartbeat calls/s | MeterValues calls/s (4 samples, all stored) | vs Heartbeat | Start+Stop calls/s | vs Heartbeat | p99 ms MeterValues / Start+Stop | server CPU per call MeterValues / Start+Stop | CPU MeterValues / Start+Stop | errors |`,
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---|',
  ];
  const verdicts: string[] = [];
  for (const { row, m } of measuredRows) {
    const meterValues = m.meterValues!;
    const startStop = m.startStop!;
    const mvRatio = ratio(meterValues.callsPerSecond, m.heartbeat.callsPerSecond);
    const ssRatio = ratio(startStop.callsPerSecond, m.heartbeat.callsPerSecond);
    const failures = { ...meterValues.failures };
    for (const [kind, n] of Object.entries(startStop.failures)) failures[kind as keyof FailureCounts] = (failures[kind as keyof FailureCounts] ?? 0) + n;
    const errors = failureTotal(failures) ? Object.entries(failures).map(([kind, n]) => `${n} ${kind}`).join(', ') : '0';
    lines.push(`| ${row.label} | ${integer(m.heartbeat.callsPerSecond)} | ${integer(meterValues.callsPerSecond)} | ${times(mvRatio)} | ${integer(startStop.callsPerSecond)} | ${times(ssRatio)} | ${ms(meterValues.p99Ms)} / ${ms(startStop.p99Ms)} | ${meterValues.serverCpuMicrosPerCall.toFixed(0)} / ${startStop.serverCpuMicrosPerCall.toFixed(0)} µs | ${cpuSplit(meterValues.cpu)} / ${cpuSplit(startStop.cpu)} | ${errors} |`);
    const target = row.separateDatabase ? INGEST_TARGETS.postgres : INGEST_TARGETS.embedded;
    verdicts.push(
      `- ${row.label}: MeterValues ≥ ${target.meterValues.toFixed(2)}× Heartbeat: ${times(mvRatio)} — ${pass(mvRatio === undefined ? undefined : mvRatio >= target.meterValues)}; ` +
      `Start+Stop ≥ ${target.startStop.toFixed(2)}× Heartbeat: ${times(ssRatio)} — ${pass(ssRatio === undefined ? undefined : ssRatio >= target.startStop)}`,
    );
    if (m.outage) {
      const o = m.outage;
      const outageErrors = failureTotal(o.failuresDuring);
      const errorKinds = outageErrors ? ` (${Object.entries(o.failuresDuring).map(([kind, n]) => `${n} ${kind}`).join(', ')})` : '';
      verdicts.push(
        `- ${row.label}, database cut for ${o.outageSeconds.toFixed(1)} s under MeterValues load: ${integer(o.answeredDuring)} MeterValues answered during the outage ` +
        `(${integer(o.answeredDuring / o.outageSeconds)}/s), ${outageErrors} errors in the phase${errorKinds}; the journal held up to ${integer(o.peakBacklog)} records ` +
        `and was stored ${o.drainSeconds.toFixed(2)} s after the database came back — ${pass(o.answeredDuring > 0 && outageErrors === 0)}`,
      );
    }
  }
  return [
    ...lines,
    '',
    `${integer(options.chargers)} chargers in a closed loop, each with a session of its own (an RFID card per charger), on a server and database started for ` +
    'that measurement alone (one phase\'s bulk writes and the database\'s housekeeping after them would otherwise weigh on the next). MeterValues: one reading of four samples ' +
    '(energy register, power, current on L1, state of charge) per call, each with a new timestamp, so every sample is stored. ' +
    'Start+Stop: StartTransaction then StopTransaction, again and again; each is a call, and every stopped session is priced. ' +
    'CPU: cores busy, server / load generator / other processes (PostgreSQL among them).',
    '',
    'Targets (ratios measured in this run):',
    ...verdicts,
  ];
}

const countsText = (counts: Record<string, number | undefined>) => Object.entries(counts).map(([kind, n]) => `${n} ${kind}`).join(', ');

function clusterErrors(r: ClusterResult): { total: number; cell: string } {
  const phases: [string, Record<string, number | undefined>][] = [
    ['connect+boot', r.boot.failures],
    ['commands', r.commands.errors],
    ['routed asks', r.commands.routedAsk.errors],
    ['sockets lost', r.commands.socketsLost ? { closed: r.commands.socketsLost } : {}],
  ];
  const parts = phases.filter(([, counts]) => failureTotal(counts as FailureCounts) > 0);
  const total = phases.reduce((sum, [, counts]) => sum + failureTotal(counts as FailureCounts), 0);
  return { total, cell: parts.length ? `${total} (${parts.map(([phase, counts]) => `${phase}: ${countsText(counts)}`).join('; ')})` : '0' };
}

const latency = (f: LatencyFigures) => `${ms(f.p50Ms)} / ${ms(f.p99Ms)}`;
const clusterCpu = (cpu: ClusterCpu) => `${cores(cpu.nodes)} / ${cores(cpu.generators)} / ${cores(cpu.bench)} / ${cores(cpu.services)} / ${cores(cpu.others)}`;

/** Several nodes over NATS: connect+boot across them, and a command on the charger's own node against one on another. */
function clusterSection(cluster: ClusterRow): string[] {
  const lines = ['### Several nodes', ''];
  if (!cluster.outcome.ok) {
    if ('skipped' in cluster.outcome) return [...lines, `${cluster.label}: ${cluster.outcome.skipped}.`];
    return [...lines, `${cluster.label} failed:`, '```', cluster.outcome.error, '```'];
  }
  const r = cluster.outcome.result;
  const disturbed = Math.max(r.boot.cpu.others ?? 0, r.commands.cpu.others ?? 0);
  if (disturbed > OTHERS_WARNING_CORES) {
    lines.push(`**Warning:** other processes on this machine used up to ${cores(disturbed)} CPU cores during this measurement (see the CPU figures below); its latencies and times are inflated and noisy, the ratio less so.`, '');
  }
  const c = r.commands;
  const remoteRatio = ratio(c.remote.p99Ms, c.local.p99Ms);
  const errors = clusterErrors(r);
  const log = Object.entries(r.nodeLog).sort(([, a], [, b]) => b - a);
  const logTotal = log.reduce((sum, [, n]) => sum + n, 0);
  return [
    ...lines,
    `| cluster | connect+boot | all online in the database | ${c.action} p50 / p99 ms, on the charger's node | on another node | remote p99 ÷ local p99 | errors |`,
    '|---|---:|---:|---:|---:|---:|---|',
    `| ${cluster.label}, ${r.nodes} × ${integer(r.chargersPerNode)} chargers | ${r.boot.seconds.toFixed(2)} s (${integer(r.boot.booted)} booted) | ` +
      `${r.boot.onlineSeconds === undefined ? 'not within 30 s' : `${r.boot.onlineSeconds.toFixed(2)} s`} | ${latency(c.local)} | ${latency(c.remote)} | ${times(remoteRatio)} | ${errors.cell} |`,
    '',
    `${r.nodes} processes of \`node dist/main.js\` (as \`npm start\` runs it) on one scratch PostgreSQL database and a NATS server started for the run, ` +
      `each node holding the chargers of a load generator process of its own (raw \`ws\` clients, ${CONNECT_CONCURRENCY} connecting at a time each). ` +
      `Connect+boot: from telling the generators to start until every charger has an Accepted BootNotification answer; "all online" until the database shows every one online on the node that holds it. ` +
      `Commands: an admin's POST /chargers/:id/commands/${c.action} (body \`{"key":["HeartbeatInterval"]}\`) to ${integer(c.chargersSampled)} chargers spread over the nodes, ` +
      `each sent once through the charger's own node (local) and once through another (remote: routed over NATS to the holder), the pairs interleaved in one queue with ${c.concurrency} in flight, ` +
      `${integer(c.local.calls)} + ${integer(c.remote.calls)} measured after a warm-up; latency is the HTTP round trip seen by the client, the charger answering at once. ` +
      `All ${integer(c.callsTotal)} calls took ${c.seconds.toFixed(1)} s (${integer(c.callsTotal / c.seconds)}/s, the nodes' CPU ${integer((c.cpu.nodes * c.seconds * 1e6) / c.callsTotal)} µs per call); ` +
      `max ms local / remote: ${ms(c.local.maxMs)} / ${ms(c.remote.maxMs)}.`,
    '',
    `The routed ask alone (the product's NatsRoutes from the bench: NATS request, the holder calls the charger; no HTTP, token or database): ` +
      `p50 / p99 ${latency(c.routedAsk)} ms over ${integer(c.routedAsk.calls)} asks.`,
    '',
    `CPU, cores busy on average, nodes / generators / bench / PostgreSQL and NATS / other processes: connect+boot ${clusterCpu(r.boot.cpu)}; commands ${clusterCpu(c.cpu)}.`,
    '',
    logTotal === 0
      ? 'The nodes logged no warning or error.'
      : `The nodes logged ${integer(logTotal)} warnings or errors: ${log.slice(0, 5).map(([message, n]) => `${n} × ${message}`).join('; ')}${log.length > 5 ? '; …' : ''}.`,
    '',
    `Targets for ${cluster.label}:`,
    `- remote p99 ≤ ${TARGET_REMOTE_P99_RATIO}× local p99: ${times(remoteRatio)} (${ms(c.remote.p99Ms)} vs ${ms(c.local.p99Ms)} ms) — ${pass(remoteRatio === undefined ? undefined : remoteRatio <= TARGET_REMOTE_P99_RATIO)}`,
    `- zero errors (connect+boot, commands, sockets): ${errors.total} — ${pass(errors.total === 0 && r.boot.booted === r.nodes * r.chargersPerNode)}`,
  ];
}

const amps = (n: number) => `${Number(n.toFixed(1)).toLocaleString('en-US')} A`;
/** "10.0 (10–10)": mean, and the range in brackets when it is one. */
const meanRange = (s: { mean: number; min: number; max: number }) => (Number.isNaN(s.mean) ? '–' : `${s.mean.toFixed(1)}${s.min === s.max ? '' : ` (${s.min}–${s.max})`}`);

/** "no profiles" when no event brought one, else p50 / p99 / max. */
function settlingTimes(f: SettlingFigures): string[] {
  if (f.count === 0) return ['–', '–', '–'];
  if (f.withoutProfiles === f.count) return ['no profiles', '–', '–'];
  return [ms(f.p50Ms), ms(f.p99Ms), ms(f.maxMs)];
}

const MOMENT_TEXT: Record<ChargerMoment, string> = {
  beforeStartAnswer: 'reached a starting charger before the answer to its StartTransaction',
  startAnswerUnread: 'reached a starting charger in the same read as its StartTransaction answer, before the simulator had taken the transactionId from it',
  noTransaction: 'reached a charger without a transaction',
  inTransaction: 'reached a charger in its transaction',
};
const total = (refusals: Refusals) => Object.values(refusals).reduce((sum, n) => sum + n, 0);

function balancingNotes(label: string, r: BalancingResult): string[] {
  const notes: string[] = [];
  const { start, stop } = r;
  if (start.withoutProfiles === start.count) {
    notes.push(`- ${label}, ${r.chargers} chargers: no SetChargingProfile came within ${FIRST_PROFILE_MS / 1000} s of any start (${r.warmup.profiles} during the warm-up): the site was not balanced.`);
  } else if (start.withoutProfiles > 0) {
    notes.push(`- ${label}, ${r.chargers} chargers: ${start.withoutProfiles} of ${start.count} starts brought no SetChargingProfile within ${FIRST_PROFILE_MS / 1000} s (left out of the times).`);
  }
  if (start.unsettled + stop.unsettled > 0 || r.warmup.unsettled) {
    notes.push(`- ${label}, ${r.chargers} chargers: profiles were still arriving when the bench stopped waiting after ${start.unsettled} starts, ${stop.unsettled} stops${r.warmup.unsettled ? ' and the warm-up' : ''}.`);
  }
  const refused = addRefusals([start.refused, stop.refused]);
  const refusedTotal = total(refused);
  if (refusedTotal > 0) {
    const moments = (Object.entries(refused) as [ChargerMoment, number][]).map(([moment, n]) => `${n} ${MOMENT_TEXT[moment]}`).join('; ');
    notes.push(`- ${label}, ${r.chargers} chargers: ${refusedTotal} SetChargingProfile refused by the chargers (${total(start.refused)} after starts, ${total(stop.refused)} after stops): ${moments}.`);
  }
  if (r.peakLimitSumA !== undefined && r.peakLimitSumA > r.siteCurrentA + 1e-6) {
    notes.push(`- ${label}, ${r.chargers} chargers: after a start the chargers' limits added up to ${amps(r.peakLimitSumA)} per phase, **over** the site's ${amps(r.siteCurrentA)}.`);
  }
  const warnings = Object.entries(r.warnings).sort(([, a], [, b]) => b - a);
  if (warnings.length) {
    notes.push(`- ${label}, ${r.chargers} chargers: the simulators warned ${warnings.slice(0, 5).map(([message, n]) => `${n} × ${message}`).join('; ')}${warnings.length > 5 ? '; …' : ''}.`);
  }
  return notes;
}

/** The balancing part (e): from a StartTransaction until every charger it moved has accepted its new limit. */
function balancingSection(rows: BalancingRow[]): string[] {
  const starts = [
    '| server | chargers | starts | p50 ms | p99 ms | max ms | first profile, p50 ms | SetChargingProfile per start | chargers affected per start | starts without profiles |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  const detail = [
    '| server | chargers | site, per phase | stops | stop p50 / p99 / max ms | SetChargingProfile per stop | limits added up after a start, highest | warm-up: profiles, s until quiet | CPU server / bench / others | time for this size |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  const notes: string[] = [];
  const failures: string[] = [];
  let disturbed = 0;
  for (const row of rows) {
    if (!row.outcome.ok) {
      failures.push('', `${row.label} failed:`, '```', row.outcome.error, '```');
      continue;
    }
    for (const r of row.outcome.results) {
      const { start, stop } = r;
      starts.push(`| ${row.label} | ${r.chargers} | ${start.count} | ${settlingTimes(start).join(' | ')} | ${ms(start.firstP50Ms)} | ${meanRange(start.profiles)} | ${meanRange(start.chargers)} | ${start.withoutProfiles} |`);
      detail.push(
        `| ${row.label} | ${r.chargers} | ${amps(r.siteCurrentA)} | ${stop.count} | ${settlingTimes(stop).join(' / ')} | ${meanRange(stop.profiles)} | ` +
        `${r.peakLimitSumA === undefined ? '–' : amps(r.peakLimitSumA)} | ${r.warmup.profiles}, ${r.warmup.seconds.toFixed(1)} s | ${cpuSplit(r.cpu)} | ${r.seconds.toFixed(0)} s |`,
      );
      notes.push(...balancingNotes(row.label, r));
      if (!row.separateDatabase) disturbed = Math.max(disturbed, r.cpu.others ?? 0);
    }
  }
  return [
    '### Site load balancing',
    '',
    ...(disturbed > OTHERS_WARNING_CORES
      ? [`**Warning:** other processes on this machine used up to ${cores(disturbed)} CPU cores during the measured cycles on the embedded database (see the CPU figures below); these times are inflated and noisy.`, '']
      : []),
    'From sending a StartTransaction until the last charger whose limit the balancer changed because of it has accepted its SetChargingProfile:',
    '',
    ...starts,
    '',
    `Each site size on a server and database started for it: one charge point, its grid connection ${SITE_CURRENT_PER_CHARGER_A} A per phase per charger (3 phases, no reserve), ` +
    `and that many OCPP 1.6 chargers on it at ${CHARGER_MAX_CURRENT_A} A each, created over the admin HTTP API; the chargers are the simulator (\`src/sim\`), in the bench process, ` +
    'sending no meter values, and accepting a profile the moment it arrives. After a warm-up of all sessions but one started one after another, each cycle stops a session, ' +
    `waits until the site is quiet, and starts it again (the first measured start takes the charger left free). A charger counts as affected when it answers a SetChargingProfile after the ` +
    `StartTransaction was sent; the site is quiet once no SetChargingProfile has come for ${QUIET_MS} ms (${FIRST_PROFILE_MS / 1000} s when none came at all), and the time reported is that of the ` +
    'last answer before, not the wait; "first profile" is the time until the first answer (the balancer\'s reaction before it sends anything). With fewer than 101 starts p99 is the slowest start. ' +
    'The StopTransaction that frees a charger for the next start is timed the same way:',
    '',
    ...detail,
    '',
    `"Limits added up": after each settled start, the limit each running charger accepted last (one without a profile counted at its ${CHARGER_MAX_CURRENT_A} A), summed; it should not pass the site's current per phase. ` +
    'CPU: cores busy on average during the measured cycles, most of which is waiting for quiet; on PostgreSQL its server is among the others.',
    ...(notes.length ? ['', ...notes] : []),
    ...failures,
  ];
}

export function renderReport(rows: Row[], options: BenchOptions, cluster?: ClusterRow, balancing?: BalancingRow[]): string {
  const cpus = os.cpus();
  const lines = [
    '## OCPP 1.6-J servers on loopback',
    '',
    `${new Date().toISOString()} · Node ${process.version} · ${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}`,
    '',
  ];
  const disturbed = interference(rows);
  if (disturbed !== undefined) {
    lines.push(`**Warning:** other processes on this machine used up to ${cores(disturbed)} CPU cores during a measurement (see the CPU figures below); this run's figures are depressed and noisy.`, '');
  }
  if (rows.length) lines.push(...summaryTable(rows, options), '', method(options), '', ...detailTable(rows));
  const ingest = ingestTable(rows, options);
  if (ingest.length) lines.push('', ...ingest);
  const ocppRpc = measured(rows, 'b');
  for (const row of rows) {
    if (!row.outcome.ok) lines.push('', `${row.label} failed:`, '```', row.outcome.error, '```');
    else if (row.key === 'c') lines.push('', ...targetLines(row, row.outcome.measurements, ocppRpc, options));
  }
  if (balancing) lines.push(...(rows.length ? [''] : []), ...balancingSection(balancing));
  if (cluster) lines.push(...(rows.length || balancing ? [''] : []), ...clusterSection(cluster));
  return `${lines.join('\n')}\n`;
}
