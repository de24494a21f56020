import { readFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EvalResults } from '../../shared/eval/results.ts';
import { StageManifest } from '../../shared/formats/stage-manifest.ts';
import { latestCompleteCheckpoint, readStageStatus } from '../../shared/jobs/contract.ts';
import { LocalStorage } from '../../shared/storage/local.ts';
import { type ShellCommand, shBlockUnder, shellCommands } from './readme-block.ts';
import { type Background, type Finished, freePort, runCommand, startServer, stop } from './shell.ts';

/**
 * README's "Five minutes with gradus" block, run as written in a fresh folder holding what a checkout has
 * (package.json, node_modules, functions/, shared/ linked; examples/ copied). Servers the block starts with
 * `&` get free ports (8787 or 8000 may be taken here), and the block's later commands are pointed at them.
 */
const root = fileURLToPath(new URL('../..', import.meta.url));
const SECTION = 'Five minutes with gradus';

/** The background commands the block may start, and the port the README has them on. */
const SERVERS = [
  { match: /^npm start$/, port: 8787 },
  { match: /^node examples\/stand-in-model\.mjs$/, port: 8000 },
];

type Check = (result: Finished, command: string) => Promise<void>;

/** Every step the walkthrough must have (exactly one command each), and what shows it worked. */
const STEPS: { name: string; match: RegExp; check: Check }[] = [
  {
    name: 'score a batch on the reward server',
    match: /^curl .*\/v1\/reward\b/s,
    check: async ({ stdout }) => {
      const reply = JSON.parse(stdout) as { results: { correct: boolean; status: string }[] };
      expect(reply.results).toHaveLength(1);
      expect(reply.results[0]).toMatchObject({ status: 'ok', correct: true });
    },
  },
  {
    name: 'pass rates from the rollouts',
    match: /gradus rollouts score\b/,
    check: async (_, command) => {
      const rows = (await readFile(inWork(argAfter(command, '--out')), 'utf8')).split('\n').filter(Boolean);
      const rates = rows.map((r) => (JSON.parse(r) as { pass_rate: number }).pass_rate);
      // Two models on every problem, and pass rates spread over more than all-or-nothing.
      expect(rows.length).toBeGreaterThan(0);
      expect(new Set(rows.map((r) => (JSON.parse(r) as { model: string }).model)).size).toBe(2);
      expect(rates.some((p) => p > 0 && p < 1)).toBe(true);
    },
  },
  {
    name: 'curate two stages',
    match: /gradus curate\b/,
    check: async ({ stdout }, command) => {
      const runDir = argAfter(command, '--out');
      const manifest = StageManifest.parse(
        JSON.parse(await readFile(inWork(runDir, 'manifest.json'), 'utf8')),
      );
      expect(manifest.stages).toHaveLength(2);
      for (const stage of manifest.stages) {
        expect(
          stage.data.reduce((n, f) => n + f.rows, 0),
          stage.name,
        ).toBeGreaterThan(0);
      }
      expect(stdout).toContain('manifest.json');
    },
  },
  {
    name: 'run the stages with the stand-in trainer',
    match: /gradus stage run\b/,
    check: async () => {},
  },
  {
    name: 'stage status',
    match: /gradus stage status\b/,
    check: async ({ stdout }, command) => {
      const runDir = command.split(/\s+/).at(-1) ?? '';
      const m = /^(.*)\/runs\/([^/]+)$/.exec(runDir);
      if (!m?.[1] || !m[2]) throw new Error(`stage status names no <root>/runs/<run-id>: ${command}`);
      const storage = new LocalStorage(inWork(m[1]));
      for (const stage of [1, 2]) {
        expect((await readStageStatus(storage, m[2], stage))?.state, `stage ${stage}`).toBe('succeeded');
        expect(await latestCompleteCheckpoint(storage, m[2], stage), `stage ${stage}`).toBeDefined();
        expect(stdout).toMatch(new RegExp(`stage ${stage} \\S+: succeeded`));
      }
      expect(stdout.match(/checkpoint: step \d+/g)).toHaveLength(2);
    },
  },
  {
    name: 'evaluate the stand-in model',
    match: /gradus eval\b/,
    check: async (_, command) => {
      const results = EvalResults.parse(
        JSON.parse(await readFile(inWork(argAfter(command, '--out'), 'results.json'), 'utf8')),
      );
      expect(results.benchmarks).toHaveLength(1);
      const metrics = results.benchmarks[0]?.metrics;
      expect(metrics?.problems).toBeGreaterThan(0);
      // The stand-in gets some samples right and some wrong (examples/stand-in-model.mjs).
      expect(metrics?.avg).toBeGreaterThan(0);
      expect(metrics?.avg).toBeLessThan(1);
    },
  },
];

let work: string;
const servers: Background[] = [];

const inWork = (...parts: string[]) => join(work, ...parts);

function argAfter(command: string, flag: string): string {
  const words = command.split(/\s+/);
  const value = words[words.indexOf(flag) + 1];
  if (!words.includes(flag) || value === undefined) throw new Error(`no ${flag} in ${command}`);
  return value;
}

/** The user's shell: no GRADUS_*, PORT, HOST or npm/vitest variables from this run; the project's Node first. */
function shellEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(GRADUS_|npm_|VITEST|PORT$|HOST$|NODE_OPTIONS$)/i.test(key)) continue;
    env[key] = value;
  }
  env.PATH = `${join(root, 'node_modules', '.bin')}:${process.env.PATH ?? ''}`;
  // Scratch space (`gradus stage run` works under the OS temp folder) stays inside this test's folder.
  env.TMPDIR = inWork('tmp');
  env.npm_config_update_notifier = 'false';
  return env;
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'gradus-walkthrough-'));
  await mkdir(inWork('tmp'));
  for (const linked of ['package.json', 'node_modules', 'functions', 'shared']) {
    await symlink(join(root, linked), inWork(linked));
  }
  await cp(join(root, 'examples'), inWork('examples'), { recursive: true });
});

afterAll(async () => {
  await Promise.all(servers.map(stop));
  await rm(work, { recursive: true, force: true });
});

describe('the README walkthrough', () => {
  const commands = shellCommands(shBlockUnder(readFileSync(join(root, 'README.md'), 'utf8'), SECTION));

  it('has each step once, and starts only the servers it documents', () => {
    for (const step of STEPS) {
      expect(
        commands.filter((c) => step.match.test(c.text)).map((c) => c.text),
        step.name,
      ).toHaveLength(1);
    }
    for (const c of commands.filter((c) => c.background)) {
      expect(
        SERVERS.some((s) => s.match.test(c.text)),
        c.text,
      ).toBe(true);
    }
  });

  // Several Node processes per step (npx, the CLI, stage jobs, the trainer): seconds each on a busy machine.
  it('runs as written', { timeout: 240_000 }, async () => {
    const env = shellEnv();
    const pending: ShellCommand[] = commands.map((c) => ({ ...c }));
    let command: ShellCommand | undefined = pending.shift();
    while (command) {
      if (command.background) {
        const server = SERVERS.find((s) => s.match.test(command?.text ?? ''));
        if (!server) throw new Error(`the block starts an unknown server: ${command.text}`);
        const port = await freePort();
        servers.push(
          await startServer(command.text, { cwd: work, env: { ...env, PORT: String(port) } }, port, 60_000),
        );
        const address = `\\b(localhost|127\\.0\\.0\\.1):${server.port}\\b`;
        const uses = pending.filter((c) => new RegExp(address).test(c.text));
        expect(uses.length, `a command after \`${command.text}\` uses port ${server.port}`).toBeGreaterThan(
          0,
        );
        for (const later of uses) later.text = later.text.replace(new RegExp(address, 'g'), `$1:${port}`);
      } else {
        const result = await runCommand(command.text, { cwd: work, env }, 120_000);
        const shown = `\`${command.text}\`\n${result.stdout}\n${result.stderr}`;
        expect(result.code, shown).toBe(0);
        const text = command.text;
        const step = STEPS.find((s) => s.match.test(text));
        await step?.check(result, text);
      }
      command = pending.shift();
    }
  });
});
