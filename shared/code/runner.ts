import { SandboxPool, type SandboxPoolOptions } from './sandbox-pool.ts';
import type { CodeRunner } from './score.ts';
import type { Language, Sandbox } from './types.ts';

/** How to make a warm sandbox of each language; TypeScript runs in a JavaScript sandbox that strips types. */
export type SandboxFactories = Record<Language, () => Sandbox | Promise<Sandbox>>;

export interface SandboxRunner {
  run: CodeRunner;
  /** Runs waiting for a sandbox, per language. */
  queued(): Record<Language, number>;
  /** Runs one language's pool takes at once (running + queued), and how many of them run in parallel. */
  readonly capacity: { runs: number; parallel: number };
  close(): Promise<void>;
}

/** One bounded pool per language, created on first use. */
export function createSandboxRunner(
  factories: SandboxFactories,
  poolOptions: Partial<Record<Language, Partial<SandboxPoolOptions>>> = {},
): SandboxRunner {
  const pools = new Map<Language, SandboxPool>();
  const poolFor = (language: Language) => {
    let pool = pools.get(language);
    if (!pool) {
      pool = new SandboxPool(factories[language], poolOptions[language]);
      pools.set(language, pool);
    }
    return pool;
  };
  const sizes = (['python', 'javascript', 'typescript'] as const).map((language) => {
    const { size = 2, maxQueue = size * 64 } = poolOptions[language] ?? {};
    return { runs: size + maxQueue, parallel: size };
  });
  return {
    capacity: {
      runs: Math.min(...sizes.map((s) => s.runs)),
      parallel: Math.min(...sizes.map((s) => s.parallel)),
    },
    run: (language, program, stdin, limits) => poolFor(language).run(program, stdin, limits),
    queued: () => ({
      python: pools.get('python')?.queued ?? 0,
      javascript: pools.get('javascript')?.queued ?? 0,
      typescript: pools.get('typescript')?.queued ?? 0,
    }),
    close: async () => {
      await Promise.all([...pools.values()].map((p) => p.close()));
      pools.clear();
    },
  };
}
