// The AL2023 rule of the Lambda artifact check (scripts/lambda/al2023.ts) on real binaries: the npm
// prebuild of isolated-vm, small libraries g++ builds here with and without the static recipe and its
// glibc shim, and the from-source isolated-vm when this checkout has built it.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newestVersions } from '../../scripts/check-lambda-package.ts';
import { al2023Problems, checkElfForLambda } from '../../scripts/lambda/al2023.ts';
import { EM_X86_64, isElf, readElfNeeds } from '../../scripts/lambda/elf.ts';
import { COMPAT_SOURCE, cachedIsolatedVm, LDFLAGS } from '../../scripts/lambda/isolated-vm-source.ts';

const run = promisify(execFile);
const PREBUILD = 'node_modules/isolated-vm/prebuilds/linux-x64/isolated-vm.abi137.glibc.node';
const onX64 = process.arch === 'x64';

// A library that throws and catches (libgcc's unwinder) and draws from std::random_device (libstdc++'s
// random.o): the two archive members that ask glibc 2.35 and 2.36 for a function.
const LIBRARY = `
#include <random>
#include <stdexcept>
#include <string>
extern "C" int probe(int n) {
  try {
    if (n > 0) throw std::runtime_error(std::to_string(n));
  } catch (const std::runtime_error &e) {
    return static_cast<int>(e.what()[0] - '0');
  }
  std::random_device device("arc4random");
  return static_cast<int>(device() % 2) - 1;
}
`;
// The same, as a program: runs the shim's _dl_find_object (the unwinder cannot catch without it) and
// arc4random.
const PROGRAM = `${LIBRARY}
#include <cstdio>
int main() { std::printf("%d %d\\n", probe(7), probe(0) <= 0); return 0; }
`;

describe.skipIf(!onX64)(
  'AL2023 rule on real binaries (x86_64 only: the prebuild and g++ here are x64)',
  () => {
    let dir: string;
    const gxx = async (args: string[]) => {
      await run('g++', args, { cwd: dir });
    };
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'gradus-elf-'));
      await writeFile(join(dir, 'probe.cc'), LIBRARY);
      await writeFile(join(dir, 'main.cc'), PROGRAM);
      await run('gcc', ['-O2', '-fPIC', '-c', COMPAT_SOURCE, '-o', join(dir, 'compat.o')]);
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('fails the npm prebuild: GLIBCXX_3.4.30, and libstdc++ and libgcc_s from the runtime', async () => {
      const problems = checkElfForLambda('prebuild', await readFile(PREBUILD), 'x86_64');
      expect(problems).toContain(
        'prebuild: needs GLIBCXX_3.4.30 from libstdc++.so.6, above GLIBCXX_3.4.29 (AL2023)',
      );
      expect(problems).toContain(
        "prebuild: needs libstdc++.so.6, which AL2023's base image does not provide",
      );
      expect(problems).toContain("prebuild: needs libgcc_s.so.1, which AL2023's base image does not provide");
      expect(newestVersions(await readFile(PREBUILD))).toEqual([
        'CXXABI_1.3.9',
        'GCC_3.0',
        'GLIBCXX_3.4.30',
        'GLIBC_2.34',
      ]);
    });

    it('fails a library linked against the shared libstdc++ of this machine', async () => {
      await gxx(['-shared', '-fPIC', '-O2', 'probe.cc', '-o', 'dynamic.so']);
      const problems = checkElfForLambda('dynamic.so', await readFile(join(dir, 'dynamic.so')), 'x86_64');
      expect(problems).toContain(
        "dynamic.so: needs libstdc++.so.6, which AL2023's base image does not provide",
      );
    });

    it('fails the static recipe without the shim (glibc 2.35 _dl_find_object, 2.36 arc4random), passes it with', async () => {
      const flags = ['-shared', '-fPIC', '-O2', ...LDFLAGS.filter((f) => f !== '-s'), 'probe.cc'];
      await gxx([...flags, '-o', 'static.so']);
      const without = checkElfForLambda('static.so', await readFile(join(dir, 'static.so')), 'x86_64');
      expect(without).toEqual([
        expect.stringMatching(
          /^static\.so: needs GLIBC_2\.3[56] from libc\.so\.6, above GLIBC_2\.34 \(AL2023\)$/,
        ),
        expect.stringMatching(
          /^static\.so: needs GLIBC_2\.3[56] from libc\.so\.6, above GLIBC_2\.34 \(AL2023\)$/,
        ),
      ]);
      await gxx([...flags, 'compat.o', '-o', 'shimmed.so']);
      const shimmed = await readFile(join(dir, 'shimmed.so'));
      expect(checkElfForLambda('shimmed.so', shimmed, 'x86_64')).toEqual([]);
      const needs = readElfNeeds(shimmed);
      expect(needs.machine).toBe(EM_X86_64);
      expect(needs.needed.every((lib) => /^(libc|libm|ld-linux-x86-64)\.so/.test(lib))).toBe(true);
    });

    it('the shim works: a program with the static recipe catches its exception and draws random numbers', async () => {
      await gxx(['-O2', ...LDFLAGS, 'main.cc', 'compat.o', '-o', 'main']);
      expect(checkElfForLambda('main', await readFile(join(dir, 'main')), 'x86_64')).toEqual([]);
      const { stdout } = await run(join(dir, 'main'));
      expect(stdout).toBe('7 1\n');
    });

    it('passes the from-source isolated-vm (built by `npm run build:isolated-vm`)', async (ctx) => {
      const binary = await cachedIsolatedVm('x86_64');
      // npm test builds it first; a bare vitest run in a fresh clone has not, and compiling takes minutes.
      if (!binary) return ctx.skip('not built yet: run `npm run build:isolated-vm`');
      const data = await readFile(binary);
      expect(checkElfForLambda('isolated_vm.node', data, 'x86_64')).toEqual([]);
      expect(newestVersions(data).every((v) => v.startsWith('GLIBC_'))).toBe(true);
    });
  },
);

describe('AL2023 rule', () => {
  const needs = (versions: string[], needed = ['libc.so.6']) => ({
    machine: EM_X86_64,
    needed,
    versions: [{ file: 'libc.so.6', names: versions }],
  });

  it('allows each family up to its AL2023 version and not one step above', () => {
    expect(al2023Problems('f', needs(['GLIBC_2.34', 'GLIBCXX_3.4.29', 'CXXABI_1.3.13']), 'x86_64')).toEqual(
      [],
    );
    expect(al2023Problems('f', needs(['GLIBC_2.35', 'GLIBCXX_3.4.30', 'CXXABI_1.3.14']), 'x86_64')).toEqual([
      'f: needs GLIBC_2.35 from libc.so.6, above GLIBC_2.34 (AL2023)',
      'f: needs GLIBCXX_3.4.30 from libc.so.6, above GLIBCXX_3.4.29 (AL2023)',
      'f: needs CXXABI_1.3.14 from libc.so.6, above CXXABI_1.3.13 (AL2023)',
    ]);
  });

  it('refuses versions the runtime does not promise, other libraries, and the other architecture', () => {
    expect(al2023Problems('f', needs(['GLIBC_PRIVATE', 'GCC_3.0'], ['libz.so.1']), 'arm64')).toEqual([
      'f: built for ELF machine 62, not arm64',
      "f: needs libz.so.1, which AL2023's base image does not provide",
      'f: needs GLIBC_PRIVATE from libc.so.6, a version AL2023 does not promise',
      'f: needs GCC_3.0 from libc.so.6, a version AL2023 does not promise',
    ]);
  });

  it('reports a truncated ELF file as a problem, and tells ELF files from others', async () => {
    const prebuild = await readFile(PREBUILD);
    expect(isElf(prebuild)).toBe(true);
    expect(isElf(Buffer.from('\0asm'))).toBe(false);
    expect(checkElfForLambda('cut', prebuild.subarray(0, 4096), 'x86_64')).toEqual([
      expect.stringMatching(/^cut: cannot read its ELF dynamic section: ELF file truncated at \d+$/),
    ]);
  });
});
