// Builds the Cloudflare Worker offline (`wrangler deploy --dry-run`) and checks the bundle: its size
// against a budget, and that no Node-only module reached it (the sandboxes, worker threads, node:*).
//
//   npm run check:worker                 # or: node scripts/check-worker-bundle.ts <wrangler.toml>
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';

const run = promisify(execFile);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const KiB = 1024;

/** Workers' limits are 3 MB (free) / 10 MB (paid) gzipped; the math-only app is far below, and should stay so. */
export const WORKER_BUDGET = { bytes: 1024 * KiB, gzipBytes: 256 * KiB };

/** Inputs that must never be in the Worker: they need Node (native addons, threads, the file system). */
const NODE_ONLY_INPUTS: ReadonlyArray<RegExp> = [
  /node_modules\/(isolated-vm|pyodide|esbuild|@hono\/node-server)\//,
  /shared\/code\/(python|javascript)\//,
  /shared\/code\/sandboxes\.ts$/,
  /shared\/reward\/(threads\/|node-scorer\.ts$|lambda-scorer\.ts$)/,
];

/** Offline: no metrics, no fetch of the `Request.cf` object. */
export const WRANGLER_OFFLINE_ENV = {
  WRANGLER_SEND_METRICS: 'false',
  CLOUDFLARE_CF_FETCH_ENABLED: 'false',
  CI: 'true',
};

interface Metafile {
  inputs: Record<string, { imports: { path: string; external?: boolean }[] }>;
  outputs: Record<string, { exports: string[] }>;
}

export interface WorkerCheckReport {
  bytes: number;
  gzipBytes: number;
  inputs: number;
  problems: string[];
}

export async function checkWorkerBundle(
  configPath = join(root, 'infra', 'wrangler.toml'),
): Promise<WorkerCheckReport> {
  const dir = await mkdtemp(join(tmpdir(), 'gradus-worker-'));
  try {
    const wrangler = join(
      dirname(createRequire(import.meta.url).resolve('wrangler/package.json')),
      'bin',
      'wrangler.js',
    );
    const args = ['deploy', '--dry-run', '--outdir', dir, '--metafile', join(dir, 'meta.json')];
    try {
      await run(process.execPath, [wrangler, ...args, '-c', configPath], {
        cwd: root,
        timeout: 180_000,
        env: { ...process.env, ...WRANGLER_OFFLINE_ENV },
      });
    } catch (err) {
      const { stdout, stderr } = err as { stdout?: string; stderr?: string };
      throw new Error(`wrangler deploy --dry-run failed:\n${stdout ?? ''}${stderr ?? ''}`);
    }
    // Named after the entry module (worker.ts -> worker.js).
    const outputs = (await readdir(dir)).filter((name) => name.endsWith('.js'));
    if (outputs.length !== 1)
      throw new Error(`expected one bundle from wrangler, found: ${outputs.join(', ')}`);
    const bundle = await readFile(join(dir, outputs[0] as string));
    const meta = JSON.parse(await readFile(join(dir, 'meta.json'), 'utf8')) as Metafile;
    const problems = [...nodeOnlyProblems(meta), ...entrypointProblems(meta)];
    const gzipBytes = gzipSync(bundle).length;
    if (bundle.length > WORKER_BUDGET.bytes) {
      problems.push(`the bundle is ${kib(bundle.length)}, over the budget of ${kib(WORKER_BUDGET.bytes)}`);
    }
    if (gzipBytes > WORKER_BUDGET.gzipBytes) {
      problems.push(
        `the bundle gzipped is ${kib(gzipBytes)}, over the budget of ${kib(WORKER_BUDGET.gzipBytes)}`,
      );
    }
    return { bytes: bundle.length, gzipBytes, inputs: Object.keys(meta.inputs).length, problems };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Node-only modules bundled in, and imports left to the runtime (workerd has no node:* without nodejs_compat). */
export function nodeOnlyProblems(meta: Metafile): string[] {
  const problems: string[] = [];
  for (const [input, { imports }] of Object.entries(meta.inputs)) {
    if (NODE_ONLY_INPUTS.some((pattern) => pattern.test(input)))
      problems.push(`Node-only module in the Worker: ${input}`);
    for (const imported of imports) {
      // `<runtime>` is esbuild's own helpers, not a module.
      if (imported.external && imported.path !== '<runtime>' && !imported.path.startsWith('cloudflare:')) {
        problems.push(`${input} imports "${imported.path}", which workerd does not provide`);
      }
    }
  }
  return problems;
}

/**
 * workerd treats every named export of the main module as an entrypoint (a handler object, a class) and
 * refuses to start on anything else, e.g. an exported string; the tests in workerd do not notice, a deploy does.
 */
export function entrypointProblems(meta: Metafile): string[] {
  const problems: string[] = [];
  for (const [output, { exports }] of Object.entries(meta.outputs)) {
    if (!output.endsWith('.js')) continue;
    if (!exports.includes('default')) problems.push(`${output} has no default export (the fetch handler)`);
    for (const name of exports) {
      if (name !== 'default')
        problems.push(`${output} exports "${name}": workerd would refuse it as an entrypoint`);
    }
  }
  return problems;
}

const kib = (bytes: number) => `${(bytes / KiB).toFixed(1)} KiB`;

if (import.meta.main) {
  const report = await checkWorkerBundle(process.argv[2]);
  console.log(
    `worker bundle: ${kib(report.bytes)} (budget ${kib(WORKER_BUDGET.bytes)}), ${kib(report.gzipBytes)} gzipped ` +
      `(budget ${kib(WORKER_BUDGET.gzipBytes)}), ${report.inputs} modules`,
  );
  if (report.problems.length > 0) {
    console.error(`\n${report.problems.length} problem(s):\n- ${report.problems.join('\n- ')}`);
    process.exit(1);
  }
  console.log('ok');
}
