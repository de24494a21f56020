// Packages the Lambda with osls (offline) and checks the artifact: the template's function settings, the
// zip's size and exact contents, that every ELF file in it loads on Amazon Linux 2023 (Lambda's nodejs24.x:
// scripts/lambda/al2023.ts), and that the handler, loaded from the UNZIPPED zip in a fresh Node process
// with the from-source isolated-vm, answers API Gateway v2 and Function URL events for math, Python and
// JavaScript items.
//
//   npm run check:lambda
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  type BuildInfo,
  ISOLATED_VM_BINARY,
  LAMBDA_OUT_DIR,
  RUNTIME_SOURCE_DIRS,
  SNAPSHOT_DIR,
  shippedModuleFiles,
} from './build-lambda.ts';
import { checkElfForLambda, compareVersions } from './lambda/al2023.ts';
import type { LambdaArch } from './lambda/arch.ts';
import { isElf, readElfNeeds } from './lambda/elf.ts';
import { checkResponse, type InvokeResults, type RunMode } from './lambda/responses.ts';
import { entryData, extractZip, listZip, type ZipEntry } from './lambda/zip.ts';
import { buildAllFunctions, oslsPackage } from './package-service.ts';

const run = promisify(execFile);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const MiB = 2 ** 20;

/** Lambda takes 50 MB zipped (direct upload) and 250 MB unzipped; ours stays well below both. */
export const LAMBDA_BUDGET = { zipBytes: 24 * MiB, unzippedBytes: 72 * MiB };

const PREFIX = 'dist/lambda/';

export interface Invocation {
  name: string;
  ms: number;
  statusCode: number;
}

export interface LambdaCheckReport {
  arch: LambdaArch;
  zipBytes: number;
  unzippedBytes: number;
  files: number;
  /** The ELF files in the zip, which the AL2023 rule checked. */
  elfFiles: string[];
  /** The newest symbol version of each family isolated-vm's binary needs (the runtime must have them). */
  nativeRequires: string[];
  invocations: Invocation[];
  /** Everything found wrong; empty when the artifact is good. */
  problems: string[];
}

export async function checkLambdaPackage(): Promise<LambdaCheckReport> {
  // Every function's artifact (osls packages them all), into a directory of our own: other checks may
  // run `osls package` into .serverless/ at the same time.
  await buildAllFunctions();
  const info = JSON.parse(await readFile(join(LAMBDA_OUT_DIR, 'build.json'), 'utf8')) as BuildInfo;
  const packageDir = await mkdtemp(join(tmpdir(), 'gradus-osls-'));
  try {
    await oslsPackage(packageDir);
    return await checkPackage(packageDir, info);
  } finally {
    await rm(packageDir, { recursive: true, force: true });
  }
}

async function checkPackage(packageDir: string, info: BuildInfo): Promise<LambdaCheckReport> {
  const { arch } = info;
  const template = JSON.parse(
    await readFile(join(packageDir, 'cloudformation-template-update-stack.json'), 'utf8'),
  ) as Template;
  const problems = checkTemplate(template, arch);
  const artifact = artifactPath(template, packageDir);
  const zip = await readFile(artifact);
  const entries = listZip(zip).filter((e) => !e.isDirectory);
  problems.push(...(await checkContents(entries, info)));
  const unzippedBytes = entries.reduce((sum, e) => sum + e.size, 0);
  if (zip.length > LAMBDA_BUDGET.zipBytes) {
    problems.push(`zip is ${mib(zip.length)}, over the budget of ${mib(LAMBDA_BUDGET.zipBytes)}`);
  }
  if (unzippedBytes > LAMBDA_BUDGET.unzippedBytes) {
    problems.push(
      `unzipped size is ${mib(unzippedBytes)}, over the budget of ${mib(LAMBDA_BUDGET.unzippedBytes)}`,
    );
  }
  const elfFiles: string[] = [];
  for (const entry of entries) {
    const data = entryData(zip, entry);
    if (!isElf(data)) continue;
    elfFiles.push(entry.name);
    problems.push(...checkElfForLambda(entry.name, data, arch));
  }
  const native = entries.find((e) => e.name === `${PREFIX}node_modules/${ISOLATED_VM_BINARY}`);
  const nativeData = native && entryData(zip, native);
  // An unreadable binary is already a problem from the rule above.
  const nativeRequires = nativeData && isElf(nativeData) ? safely(() => newestVersions(nativeData)) : [];
  const invocations = await invokeUnzipped(problems, info, artifact);
  return {
    arch,
    zipBytes: zip.length,
    unzippedBytes,
    files: entries.length,
    elfFiles: elfFiles.sort(),
    nativeRequires,
    invocations,
    problems,
  };
}

interface Template {
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
}

interface FunctionProperties {
  Handler?: string;
  Runtime?: string;
  Architectures?: string[];
  Code?: { S3Key?: string };
  Environment?: { Variables?: Record<string, string> };
}

export const REWARD_HANDLER = 'dist/lambda/lambda.handler';

/** The reward function among the template's functions (others, like the stage trigger, have other handlers). */
function rewardFunction(template: Template): FunctionProperties | undefined {
  return Object.values(template.Resources)
    .filter((r) => r.Type === 'AWS::Lambda::Function')
    .map((r) => r.Properties as FunctionProperties)
    .find((p) => p.Handler === REWARD_HANDLER);
}

/** The reward function's zip in the package directory (gradus.zip, or <function>.zip when packaged individually). */
function artifactPath(template: Template, packageDir: string): string {
  const key = rewardFunction(template)?.Code?.S3Key;
  if (key === undefined) throw new Error(`the template has no function with handler ${REWARD_HANDLER}`);
  return join(packageDir, basename(key));
}

/** The generated CloudFormation: the reward function on nodejs24.x for the built architecture, URL + HTTP API. */
export function checkTemplate(template: Template, arch: LambdaArch): string[] {
  const problems: string[] = [];
  const resources = Object.values(template.Resources);
  const fn = rewardFunction(template);
  if (!fn) return [`the template has no AWS::Lambda::Function with handler ${REWARD_HANDLER}`];
  if (fn.Runtime !== 'nodejs24.x') problems.push(`runtime is ${fn.Runtime}, not nodejs24.x`);
  const fnArch = fn.Architectures?.[0] ?? 'x86_64';
  if (fnArch !== arch)
    problems.push(
      `the function is ${fnArch} but the artifact was built for ${arch} (set LAMBDA_ARCH for both)`,
    );
  if (!fn.Environment?.Variables?.NODE_OPTIONS?.includes('--no-node-snapshot')) {
    problems.push('NODE_OPTIONS lacks --no-node-snapshot (isolated-vm needs it)');
  }
  for (const type of ['AWS::Lambda::Url', 'AWS::ApiGatewayV2::Api', 'AWS::ApiGatewayV2::Route']) {
    if (!resources.some((r) => r.Type === type)) problems.push(`the template has no ${type}`);
  }
  return problems;
}

/** Exactly the bundle, the runtime sources and the listed node_modules files: nothing missing, nothing stray. */
async function checkContents(entries: ZipEntry[], { arch, snapshot, bundle }: BuildInfo): Promise<string[]> {
  // The handler, the pool's worker, and the chunks esbuild split out of them (build.json lists them all).
  const expected = new Set([
    'lambda.mjs',
    'reward-worker.mjs',
    ...bundle,
    'build.json',
    `${SNAPSHOT_DIR}/${snapshot}`,
  ]);
  for (const [dir, to] of RUNTIME_SOURCE_DIRS) {
    for (const name of await readdir(join(root, dir))) expected.add(`${to}/${name}`);
  }
  for (const file of shippedModuleFiles(arch)) expected.add(`node_modules/${file}`);
  expected.add(`node_modules/${ISOLATED_VM_BINARY}`);
  const names = new Set(entries.map((e) => e.name));
  const problems: string[] = [];
  for (const name of names) {
    if (!name.startsWith(PREFIX) || !expected.has(name.slice(PREFIX.length)))
      problems.push(`stray file in the zip: ${name}`);
  }
  for (const name of expected)
    if (!names.has(PREFIX + name)) problems.push(`missing from the zip: ${PREFIX}${name}`);
  const nodeArch = arch === 'arm64' ? 'arm64' : 'x64';
  const esbuildBinary = entries.find(
    (e) => e.name === `${PREFIX}node_modules/@esbuild/linux-${nodeArch}/bin/esbuild`,
  );
  if (esbuildBinary && (esbuildBinary.mode & 0o111) === 0)
    problems.push('the esbuild binary is not executable in the zip');
  return problems;
}

/**
 * Unzips the artifact outside the repository (no node_modules above it) and invokes it in a child Node per
 * run mode, with an empty TMPDIR, as a cold Lambda's /tmp (its only writable place), where the handler must
 * put the shipped Pyodide snapshot. Each run reports the native modules its process loaded: the shipped
 * from-source isolated-vm and nothing else, or nothing in the last mode, which removes that binary first.
 */
async function invokeUnzipped(problems: string[], info: BuildInfo, artifact: string): Promise<Invocation[]> {
  const dir = await mkdtemp(join(tmpdir(), 'gradus-lambda-'));
  try {
    const task = join(dir, 'task');
    await extractZip(artifact, task);
    await mkdir(join(dir, 'tmp'));
    const invocations: Invocation[] = [];
    // As the kernel names it in /proc/self/maps: with any symbolic link in the temp path resolved.
    const inZip = join(task, PREFIX, 'node_modules', ISOLATED_VM_BINARY);
    const shippedBinary = await realpath(inZip).catch(() => inZip);
    for (const mode of ['inline', 'pool', 'no-native'] as const) {
      if (mode === 'no-native') {
        // Checked after the others ran: they must have used the shipped snapshot.
        problems.push(...(await checkSnapshotUse(dir, info.snapshot)));
        await rm(join(task, PREFIX, 'node_modules', 'isolated-vm', 'build'), { recursive: true });
      }
      const { responses, nativeModules } = await invokeHandler(dir, mode, problems);
      const expected = mode === 'no-native' ? [] : [shippedBinary];
      if (responses.length > 0 && nativeModules.join() !== expected.join()) {
        problems.push(
          `[${mode}] the handler loaded the native modules ${JSON.stringify(nativeModules)}, ` +
            `expected ${JSON.stringify(expected)}`,
        );
      }
      for (const { name, kind, ms, response } of responses) {
        problems.push(...checkResponse(mode, kind, name, response));
        invocations.push({ name: `[${mode}] ${name}`, ms, statusCode: response.statusCode });
      }
    }
    return invocations;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function invokeHandler(dir: string, mode: RunMode, problems: string[]): Promise<InvokeResults> {
  const resultsPath = join(dir, `responses-${mode}.json`);
  const driver = join(root, 'scripts', 'lambda', 'invoke.ts');
  try {
    await run(process.execPath, [driver, join(dir, 'task', 'dist', 'lambda', 'lambda.mjs'), resultsPath], {
      cwd: join(dir, 'task'),
      timeout: 180_000,
      maxBuffer: 16 * MiB,
      // As Lambda starts Node (serverless.yml's NODE_OPTIONS).
      env: {
        ...process.env,
        NODE_OPTIONS: '--no-node-snapshot',
        TMPDIR: join(dir, 'tmp'),
        GRADUS_SCORER: mode === 'pool' ? 'pool' : 'inline',
      },
    });
  } catch (err) {
    const { stdout, stderr } = err as { stdout?: string; stderr?: string };
    problems.push(`[${mode}] the unzipped handler failed to run:\n${stdout ?? ''}${stderr ?? ''}`);
    return { responses: [], nativeModules: [] };
  }
  return JSON.parse(await readFile(resultsPath, 'utf8')) as InvokeResults;
}

/**
 * The handler must have booted Python from the shipped snapshot, copied into /tmp, rather than making its
 * own: the cache must hold that one file, byte for byte (two snapshots made apart differ in their bytes).
 */
async function checkSnapshotUse(dir: string, shipped: string): Promise<string[]> {
  const cacheDir = join(dir, 'tmp', 'gradus-pyodide');
  const cached = await readdir(cacheDir).catch(() => []);
  if (cached.join() !== shipped) {
    return [
      `/tmp should hold only the shipped snapshot ${shipped}, holds: ${cached.join(', ') || 'nothing'}`,
    ];
  }
  const used = await readFile(join(cacheDir, shipped));
  const original = await readFile(join(dir, 'task', 'dist', 'lambda', SNAPSHOT_DIR, shipped));
  return used.equals(original)
    ? []
    : ['the handler made its own Pyodide snapshot instead of using the shipped one'];
}

/** The newest version of each family (GLIBC_, GLIBCXX_, ...) an ELF binary needs, e.g. GLIBC_2.34. */
export function newestVersions(binary: Buffer): string[] {
  const newest = new Map<string, number[]>();
  for (const { names } of readElfNeeds(binary).versions) {
    for (const name of names) {
      const separator = name.lastIndexOf('_');
      const parts = name
        .slice(separator + 1)
        .split('.')
        .map(Number);
      if (separator < 0 || parts.some((p) => !Number.isInteger(p))) continue;
      const family = name.slice(0, separator);
      const known = newest.get(family);
      if (!known || compareVersions(parts, known) > 0) newest.set(family, parts);
    }
  }
  return [...newest].map(([family, parts]) => `${family}_${parts.join('.')}`).sort();
}

function safely(read: () => string[]): string[] {
  try {
    return read();
  } catch {
    return [];
  }
}

const mib = (bytes: number) => `${(bytes / MiB).toFixed(1)} MiB`;

if (import.meta.main) {
  const report = await checkLambdaPackage();
  console.log(
    `lambda artifact (${report.arch}): ${mib(report.zipBytes)} zipped (budget ${mib(LAMBDA_BUDGET.zipBytes)}), ` +
      `${mib(report.unzippedBytes)} unzipped (budget ${mib(LAMBDA_BUDGET.unzippedBytes)}), ${report.files} files`,
  );
  console.log(
    `  ELF files (AL2023 rule: GLIBC <= 2.34, GLIBCXX <= 3.4.29, CXXABI <= 1.3.13, glibc's libraries only): ${report.elfFiles.length}`,
  );
  console.log(`  isolated-vm's binary needs ${report.nativeRequires.join(', ')} from the runtime`);
  for (const i of report.invocations)
    console.log(`  ${String(i.statusCode).padEnd(4)} ${String(i.ms).padStart(6)} ms  ${i.name}`);
  if (report.problems.length > 0) {
    console.error(`\n${report.problems.length} problem(s):\n- ${report.problems.join('\n- ')}`);
    process.exit(1);
  }
  console.log('ok');
}
