// `osls package` packages every function of serverless.yml at once, and fails when a function's prebuilt
// folder is missing ("No file matches include / exclude patterns"). So: every scripts/build-<name>.ts
// (one per function, each writing its dist/<name>/) runs first, then osls, offline.
//
//   npm run package:lambda                   # -> .serverless/
import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The function builders: scripts/build-*.ts, in name order. */
export async function functionBuilders(): Promise<string[]> {
  const names = await readdir(join(root, 'scripts'));
  return names.filter((name) => /^build-[\w-]+\.ts$/.test(name)).sort();
}

/** Runs each builder in its own Node process (isolated-vm wants --no-node-snapshot). */
export async function buildAllFunctions(): Promise<void> {
  for (const script of await functionBuilders()) {
    await runOrExplain(`node scripts/${script}`, process.execPath, [
      '--no-node-snapshot',
      join(root, 'scripts', script),
    ]);
  }
}

/** `osls package`, into `outDir` (default .serverless/); needs no AWS credentials and no network. */
export async function oslsPackage(outDir?: string): Promise<void> {
  const osls = join(
    dirname(createRequire(import.meta.url).resolve('osls/package.json')),
    'bin',
    'serverless.js',
  );
  const args = [osls, 'package', ...(outDir === undefined ? [] : ['--package', outDir])];
  await runOrExplain('osls package', process.execPath, args);
}

async function runOrExplain(what: string, command: string, args: string[]): Promise<void> {
  try {
    await run(command, args, { cwd: root, timeout: 300_000, maxBuffer: 16 * 2 ** 20 });
  } catch (err) {
    const { stdout, stderr } = err as { stdout?: string; stderr?: string };
    throw new Error(`${what} failed:\n${stdout ?? ''}${stderr ?? ''}`);
  }
}

if (import.meta.main) {
  await buildAllFunctions();
  await oslsPackage();
  console.log('packaged into .serverless/');
}
