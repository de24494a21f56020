// What a native file in the Lambda artifact may ask of the runtime: Lambda's nodejs24.x runs on Amazon
// Linux 2023, whose glibc is 2.34 and whose libstdc++ (GCC 11) stops at GLIBCXX_3.4.29 / CXXABI_1.3.13.
import { type ElfNeeds, EM_AARCH64, EM_X86_64, readElfNeeds } from './elf.ts';

/** The newest version of each family the runtime defines. */
export const AL2023_NEWEST: Readonly<Record<string, readonly number[]>> = {
  GLIBC: [2, 34],
  GLIBCXX: [3, 4, 29],
  CXXABI: [1, 3, 13],
};

/**
 * Shared libraries a binary may name in DT_NEEDED: the sonames of AL2023's glibc package, which every
 * AL2023 image has, the minimal container image that Lambda's AL2023 runtimes are built on included
 * (AWS Compute Blog, "Introducing the Amazon Linux 2023 runtime for AWS Lambda"). libstdc++.so.6 and
 * libgcc_s.so.1 are left out on purpose: a binary that needs them gets the runtime's older copies, so ours
 * link them statically.
 */
export const AL2023_LIBRARIES: ReadonlySet<string> = new Set([
  'libc.so.6',
  'libm.so.6',
  'libpthread.so.0',
  'libdl.so.2',
  'librt.so.1',
  'ld-linux-x86-64.so.2',
  'ld-linux-aarch64.so.1',
]);

const MACHINE: Record<'x86_64' | 'arm64', number> = { x86_64: EM_X86_64, arm64: EM_AARCH64 };

/** Everything in `needs` that AL2023 on `arch` cannot satisfy, one line each, prefixed with `name`. */
export function al2023Problems(name: string, needs: ElfNeeds, arch: 'x86_64' | 'arm64'): string[] {
  const problems: string[] = [];
  if (needs.machine !== MACHINE[arch]) {
    problems.push(`${name}: built for ELF machine ${needs.machine}, not ${arch}`);
  }
  for (const library of needs.needed) {
    if (!AL2023_LIBRARIES.has(library)) {
      problems.push(`${name}: needs ${library}, which AL2023's base image does not provide`);
    }
  }
  for (const { file, names } of needs.versions) {
    for (const version of names) {
      const why = versionProblem(version);
      if (why) problems.push(`${name}: needs ${version} from ${file}, ${why}`);
    }
  }
  return problems;
}

/** Reads an ELF file and applies the rule; a file that cannot be read is a problem too. */
export function checkElfForLambda(name: string, data: Uint8Array, arch: 'x86_64' | 'arm64'): string[] {
  try {
    return al2023Problems(name, readElfNeeds(data), arch);
  } catch (err) {
    return [`${name}: cannot read its ELF dynamic section: ${(err as Error).message}`];
  }
}

function versionProblem(version: string): string | undefined {
  const separator = version.indexOf('_');
  const family = version.slice(0, separator);
  const newest = AL2023_NEWEST[family];
  // GLIBC_PRIVATE and any family we do not know (GCC_*, from libgcc_s) are not promised by the runtime.
  if (separator < 0 || !newest) return 'a version AL2023 does not promise';
  const parts = version
    .slice(separator + 1)
    .split('.')
    .map(Number);
  if (parts.some((p) => !Number.isInteger(p))) return 'a version AL2023 does not promise';
  return compareVersions(parts, newest) > 0 ? `above ${family}_${newest.join('.')} (AL2023)` : undefined;
}

export function compareVersions(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
