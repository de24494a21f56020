// isolated-vm's native module for the Lambda artifact, built from the installed package's source. The
// npm prebuild needs GLIBCXX_3.4.30 (libstdc++ of GCC 12), which Amazon Linux 2023, the OS of Lambda's
// nodejs24.x, does not have; so the artifact ships this build instead: libstdc++ and libgcc linked
// statically and kept private (--exclude-libs), the two newer glibc functions their archives ask for
// defined by glibc-compat.c, and the result checked by the AL2023 rule before it is kept.
//
// node_modules/isolated-vm is never touched (local runs keep the prebuild): the source is copied into a
// scratch folder under .cache/isolated-vm/, and the binary kept there, under a key of everything that
// decides it (isolated-vm's version, the Node ABI, the architecture, the compiler, this recipe), so a
// repeated build copies it (a clean clone compiles once, a few minutes).
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cp, mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { checkElfForLambda } from './al2023.ts';
import { LAMBDA_NODE_ABI, type LambdaArch, lambdaArch, NODE_ARCH } from './arch.ts';

const run = promisify(execFile);
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const ISOLATED_VM_CACHE = join(root, '.cache', 'isolated-vm');
export const COMPAT_SOURCE = join(root, 'scripts', 'lambda', 'glibc-compat.c');

/** What node-gyp's link step adds (gyp's Makefile appends $LDFLAGS); part of the cache key. */
export const LDFLAGS = [
  '-static-libstdc++',
  '-static-libgcc',
  // The archives' symbols stay inside the module: it must not hand its newer libstdc++ to Node's.
  '-Wl,--exclude-libs,ALL',
  '-s',
];
/** binding.gyp asks for -g; a Lambda binary has no use for debug info (28 MB with it, 2 MB without). */
const CXXFLAGS = ['-g0'];
/** How glibc-compat.c is compiled (with gcc, into an object linked into the module). */
const COMPAT_CFLAGS = ['-O2', '-fPIC', '-Wall'];

export interface NativeBuild {
  /** The binary in the cache. */
  path: string;
  key: string;
  /** Seconds spent compiling; 0 when the cache had it. */
  compileSeconds: number;
}

/** The from-source binary for `arch` and `nodeAbi`: from the cache, or compiled now (needs g++ and make). */
export async function isolatedVmFromSource(
  arch: LambdaArch,
  nodeAbi = LAMBDA_NODE_ABI,
): Promise<NativeBuild> {
  const { key, path: cached, nodeDir, packageDir, compiler } = await cacheEntry(arch, nodeAbi);
  if (await stat(cached).catch(() => undefined)) return { path: cached, key, compileSeconds: 0 };

  await mkdir(ISOLATED_VM_CACHE, { recursive: true });
  const scratch = await mkdtemp(join(ISOLATED_VM_CACHE, 'build-'));
  try {
    const t0 = performance.now();
    const binary = await compile(packageDir, nodeDir, scratch);
    const compileSeconds = Math.round((performance.now() - t0) / 1000);
    const problems = checkElfForLambda('isolated_vm.node', await readFile(binary), arch);
    if (problems.length > 0) {
      throw new Error(`the from-source isolated-vm does not fit AL2023:\n- ${problems.join('\n- ')}`);
    }
    // Renamed into place last, so a build that stopped half way never looks cached.
    const keyDir = dirname(cached);
    await mkdir(keyDir, { recursive: true });
    // Plain text: the repository's linters read JSON files anywhere in the tree.
    await writeFile(
      join(keyDir, 'build.txt'),
      `${key}\ng++ ${compiler}, ${jobs()} jobs, ${compileSeconds} s, ${new Date().toISOString()}\n`,
    );
    await rename(binary, cached);
    return { path: cached, key, compileSeconds };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** The cached binary for `arch`, if this checkout has built it (nothing is compiled). */
export async function cachedIsolatedVm(arch: LambdaArch): Promise<string | undefined> {
  const { path } = await cacheEntry(arch, LAMBDA_NODE_ABI);
  return (await stat(path).catch(() => undefined)) ? path : undefined;
}

/** Where the binary for `arch` lies in the cache: a key of everything that decides its bytes. */
async function cacheEntry(arch: LambdaArch, nodeAbi: number) {
  if (NODE_ARCH[arch] !== process.arch) {
    throw new Error(
      `isolated-vm is compiled on the machine that builds the artifact, which is ${process.arch}: build ` +
        `the ${arch} artifact on a ${NODE_ARCH[arch]} machine`,
    );
  }
  const packageDir = join(root, 'node_modules', 'isolated-vm');
  const nodeDir = nodeHeaders(NODE_ARCH[arch]);
  const headersAbi = await nodeModuleVersion(nodeDir);
  if (headersAbi !== nodeAbi) {
    throw new Error(`Node's headers in ${nodeDir} are for ABI ${headersAbi}, the artifact needs ${nodeAbi}`);
  }
  const version = await packageVersion(packageDir);
  const compiler = (await run('g++', ['-dumpfullversion'])).stdout.trim();
  const recipe = createHash('sha256')
    .update(await readFile(COMPAT_SOURCE))
    .update(JSON.stringify({ LDFLAGS, CXXFLAGS, COMPAT_CFLAGS, node: await packageVersion(nodeDir) }))
    .update((await run('g++', ['--version'])).stdout)
    .update((await run('gcc', ['--version'])).stdout)
    .update(await packageVersion(nodeGypDir()))
    .digest('hex')
    .slice(0, 12);
  const key = `isolated-vm-${version}-abi${nodeAbi}-${arch}-gcc${compiler}-${recipe}`;
  return { key, path: join(ISOLATED_VM_CACHE, key, 'isolated_vm.node'), nodeDir, packageDir, compiler };
}

async function compile(packageDir: string, nodeDir: string, scratch: string): Promise<string> {
  const source = join(scratch, 'isolated-vm');
  for (const name of ['binding.gyp', 'package.json', 'src', 'vendor']) {
    await cp(join(packageDir, name), join(source, name), { recursive: true });
  }
  const compat = join(scratch, 'glibc-compat.o');
  await runLogged('gcc', [...COMPAT_CFLAGS, '-c', COMPAT_SOURCE, '-o', compat], scratch);
  // node-gyp takes options from npm_config_* variables (set by `npm run`); it gets none but ours.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_config_/i.test(k)));
  await runLogged(
    process.execPath,
    [
      join(nodeGypDir(), 'bin', 'node-gyp.js'),
      'rebuild',
      '--release',
      '-j',
      String(jobs()),
      `--nodedir=${nodeDir}`,
    ],
    source,
    {
      ...env,
      CC: 'gcc',
      CXX: 'g++',
      CXXFLAGS: CXXFLAGS.join(' '),
      // An object file, not an archive: always linked, so libstdc++.a's and libgcc_eh.a's references
      // to arc4random and _dl_find_object bind to it rather than to libc.so.6.
      LDFLAGS: [...LDFLAGS, compat].join(' '),
      // binding.gyp runs `node -e` to read the link libraries: the Node the artifact is built for.
      PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`,
    },
  );
  return join(source, 'build', 'Release', 'isolated_vm.node');
}

const jobs = () => availableParallelism();

async function runLogged(command: string, args: string[], cwd: string, env = process.env): Promise<void> {
  try {
    await run(command, args, { cwd, env, timeout: 20 * 60_000, maxBuffer: 64 * 2 ** 20 });
  } catch (err) {
    const { stdout, stderr } = err as { stdout?: string; stderr?: string };
    const output = `${stdout ?? ''}${stderr ?? ''}`;
    throw new Error(`${command} ${args.join(' ')} failed in ${cwd}:\n${output.slice(-8000)}`);
  }
}

/** The headers of the `node` devDependency (Lambda's Node 24), in its platform package. */
function nodeHeaders(nodeArch: string): string {
  const fromNode = createRequire(join(root, 'node_modules', 'node', 'package.json'));
  try {
    return dirname(fromNode.resolve(`node-linux-${nodeArch}/package.json`));
  } catch {
    // npm installs it from the `node` package's preinstall script, outside the lockfile, and a later
    // `npm install` prunes it as extraneous.
    throw new Error(
      `Node's headers (node_modules/node/node_modules/node-linux-${nodeArch}) are missing: run \`npm rebuild node\``,
    );
  }
}

/** The pinned node-gyp devDependency's folder. */
function nodeGypDir(): string {
  return dirname(createRequire(import.meta.url).resolve('node-gyp/package.json'));
}

async function nodeModuleVersion(nodeDir: string): Promise<number> {
  const config = await readFile(join(nodeDir, 'include', 'node', 'config.gypi'), 'utf8');
  const match = /"node_module_version": (\d+)/.exec(config);
  if (!match) throw new Error(`no node_module_version in ${nodeDir}/include/node/config.gypi`);
  return Number(match[1]);
}

async function packageVersion(dir: string): Promise<string> {
  return (JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
}

if (import.meta.main) {
  const build = await isolatedVmFromSource(lambdaArch());
  const how = build.compileSeconds > 0 ? `compiled in ${build.compileSeconds} s` : 'cached';
  console.log(`isolated-vm for Lambda: ${build.path} (${how})`);
}
