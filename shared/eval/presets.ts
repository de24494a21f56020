import type { Benchmark } from './benchmarks.ts';
import type { SamplingParams } from './generate/schema.ts';

export interface Preset {
  name: string;
  description: string;
  sampling: SamplingParams;
  /** Samples per problem for a benchmark. */
  k(benchmark: Benchmark): number;
}

export const PRESETS: Record<string, Preset> = {
  paper: {
    name: 'paper',
    description: 'T 0.6, top_p 0.95, 32k tokens; avg@16 on math sets, avg@4 on code (the paper, sec. 4.1)',
    sampling: { temperature: 0.6, topP: 0.95, maxTokens: 32_768, seed: 0 },
    k: (b) => b.paperK,
  },
  greedy: {
    name: 'greedy',
    description: 'one greedy sample per problem (T 0), 32k tokens',
    sampling: { temperature: 0, topP: 1, maxTokens: 32_768, seed: 0 },
    k: () => 1,
  },
};
