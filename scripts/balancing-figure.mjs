// Draws docs/balancing.svg: the power of each charger over time in a simulated run of the
// load-balancing proof's site (63 A on three phases, ten 32 A chargers, cars coming and going
// at random), stacked, with the site's limit. Runs the built server (dist/main.js) on an
// embedded database in a temporary DATA_DIR, on ephemeral loopback ports.
//
//   npm run figure:balancing            (builds first)
//   node scripts/balancing-figure.mjs [--minutes 3] [--seed 16] [--out docs/balancing.svg]
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import * as vega from 'vega';
import { compile } from 'vega-lite';
import { connectSite, runSite, seededRandom, setUpSite } from '../dist/sim/index.js';

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '3' },
    seed: { type: 'string', default: '16' },
    out: { type: 'string', default: 'docs/balancing.svg' },
  },
});

// The site of the proof (test/support/loadBalancingProof.ts).
const SITE = { maxCurrentA: 63, phases: 3, chargers: 10, chargerMaxCurrentA: 32 };
const WATTS_PER_AMPERE = SITE.phases * 230;
const RULES = { limitW: SITE.maxCurrentA * WATTS_PER_AMPERE, wattsPerAmpere: WATTS_PER_AMPERE, minimumA: 6, settleMs: 5000, starvationMs: 10_000, toleranceW: SITE.chargers };
const RUN = { meanSessionMs: 20_000, meanIdleMs: 5_000, sampleIntervalMs: 100 };
const ADMIN = { username: 'admin@figure.flexicharge', password: 'figure-password-1' };
const START_TIMEOUT_MS = 90_000;

/** The built server on a fresh embedded database; resolves with its API and OCPP URLs once its banner is out. */
async function startServer(dataDir) {
  const child = spawn(process.execPath, ['dist/main.js'], {
    env: {
      PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', OCPP_PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'warn',
      ADMIN_EMAIL: ADMIN.username, ADMIN_PASSWORD: ADMIN.password, DEMO_CHARGER: '0', SIGN_IN_RATE_LIMIT: '10000',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => { output += chunk; });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!output.includes('Live metrics')) {
    if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}):\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the server did not start in time:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const api = /API\s+(\S+)/.exec(output)[1];
  const ocpp = /OCPP\s+(ws:\/\/\S+?)\/charger\//.exec(output)[1];
  return {
    api,
    ocpp,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function signIn(api) {
  const response = await fetch(`${api}/admin/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN) });
  if (!response.ok) throw new Error(`admin sign-in: HTTP ${response.status} ${await response.text()}`);
  return (await response.json()).accessToken;
}

/**
 * Every charger's power in kW, with seconds since the start, at each sample where some
 * charger's power changed (and the last): the areas are drawn as steps, so the samples in
 * between add nothing but size.
 */
function figureRows(run) {
  const rows = [];
  let previous;
  run.samples.forEach((sample, i) => {
    const changed = !previous || sample.powerW.some((w, charger) => w !== previous[charger]);
    if (!changed && i < run.samples.length - 1) return;
    previous = sample.powerW;
    const t = (sample.at - run.startedAt) / 1000;
    sample.powerW.forEach((w, charger) => rows.push({ t, n: charger + 1, charger: `charger ${charger + 1}`, kW: w / 1000 }));
  });
  return rows;
}

function figure(run) {
  const limitKw = RULES.limitW / 1000;
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: 900,
    height: 320,
    background: 'white',
    title: {
      text: `Ten 32 A chargers sharing a 63 A three-phase connection (${limitKw.toFixed(1)} kW)`,
      subtitle: `${run.sessions.length} sessions at random over ${((run.endedAt - run.startedAt) / 60_000).toFixed(1)} minutes; each charger's power as its meter showed it, stacked`,
    },
    layer: [
      {
        data: { values: figureRows(run) },
        mark: { type: 'area', interpolate: 'step-after' },
        encoding: {
          x: { field: 't', type: 'quantitative', title: 'time (s)', scale: { domain: [0, (run.endedAt - run.startedAt) / 1000], nice: false } },
          y: { field: 'kW', type: 'quantitative', stack: 'zero', title: 'power (kW)' },
          color: { field: 'charger', type: 'nominal', title: null, sort: null, scale: { scheme: 'tableau10' } },
          order: { field: 'n', sort: 'ascending' },
        },
      },
      {
        data: { values: [{ kW: limitKw, label: `site limit ${limitKw.toFixed(1)} kW` }] },
        layer: [
          { mark: { type: 'rule', color: 'black', strokeDash: [6, 4], strokeWidth: 1.5 }, encoding: { y: { field: 'kW', type: 'quantitative' } } },
          { mark: { type: 'text', align: 'left', dx: 4, dy: -7, x: 0 }, encoding: { y: { field: 'kW', type: 'quantitative' }, text: { field: 'label' } } },
        ],
      },
    ],
  };
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  return view.toSVG();
}

const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'flexicharge-figure-'));
const server = await startServer(dataDir);
const chargers = [];
try {
  const token = await signIn(server.api);
  const setup = await setUpSite({ api: server.api, token, name: 'Load balancing figure', prefix: 'figure', ...SITE });
  chargers.push(...(await connectSite(setup, (serial) => `${server.ocpp}/charger/${serial}`, { powerW: SITE.chargerMaxCurrentA * WATTS_PER_AMPERE, meterValueIntervalMs: 1000 })));
  const durationMs = Number(args.minutes) * 60_000;
  console.log(`running the site for ${args.minutes} min (seed ${args.seed})…`);
  const run = await runSite({ chargers, durationMs, random: seededRandom(Number(args.seed)), rules: RULES, ...RUN });
  const { report } = run;
  console.log([
    `${run.sessions.length} sessions; limit ${report.limitW} W, highest total ${Math.round(report.maxTotalW)} W`,
    `overshoots: ${report.overshoots.length}, longest ${Math.max(0, ...report.overshoots.map((o) => o.durationMs))} ms; longest over the limit after a start ${report.longestReactionMs} ms`,
    `violations: ${report.violations.length}${report.violations.length ? `\n${report.violations.slice(0, 10).map((v) => `  ${v.kind}: ${v.detail}`).join('\n')}` : ''}`,
  ].join('\n'));
  await fs.mkdir(path.dirname(args.out), { recursive: true });
  await fs.writeFile(args.out, await figure(run));
  console.log(`wrote ${args.out}`);
} finally {
  await Promise.all(chargers.map(({ simulator }) => simulator.close()));
  await server.stop();
  await fs.rm(dataDir, { recursive: true, force: true });
}
