/**
 * Where each registered benchmark's data is published and where `gradus data fetch` puts it. The output
 * paths are the layout of the data folder (README "Data"), so tests, benches and `gradus eval` find them.
 */

export interface SourceFile {
  url: string;
  /** The published file's sha256 and size, where known; checked after download. */
  sha256?: string;
  bytes?: number;
}

export interface DataSet {
  /** The benchmark (shared/eval/benchmarks.ts) whose rows this is; each row is checked as it reads it. */
  benchmark: string;
  /** The converted file, relative to the data folder. */
  path: string;
  format: 'jsonl' | 'parquet';
  /** Concatenated in this order (or sorted by `sortBy`) into one JSONL file. */
  files: SourceFile[];
  /** Rows the converted file must have, where the published set is fixed. */
  rows?: number;
  /** Numeric field the rows are ordered by (MBPP's splits -> one file in task order). */
  sortBy?: string;
  /** The converted file's sha256, where known; checked after conversion. */
  sha256?: string;
  /** Largest download accepted per file. */
  maxBytes: number;
  /** Fetched only when named (gigabytes), not by a bare `gradus data fetch`. */
  onlyByName?: boolean;
}

const QWEN = 'https://raw.githubusercontent.com/QwenLM/Qwen2.5-Math/main/evaluation/data';
const HF = 'https://huggingface.co/datasets';
const MiB = 1024 ** 2;

// No published sha256 is pinned here: none could be read offline. A download is checked against the size
// and sha256 its server declares (Hugging Face sends both for LFS files), and what was fetched is recorded
// in the cache's manifest.json, against which a cached file is checked on the next fetch.
export const DATASETS: Record<string, DataSet> = {
  aime24: {
    benchmark: 'aime24',
    path: 'benchmarks/aime24.jsonl',
    format: 'jsonl',
    files: [{ url: `${QWEN}/aime24/test.jsonl` }],
    rows: 30,
    maxBytes: 16 * MiB,
  },
  aime25: {
    benchmark: 'aime25',
    path: 'benchmarks/aime25.jsonl',
    format: 'jsonl',
    files: [{ url: `${HF}/math-ai/aime25/resolve/main/test.jsonl` }],
    rows: 30,
    maxBytes: 16 * MiB,
  },
  amc23: {
    benchmark: 'amc23',
    path: 'benchmarks/amc23.jsonl',
    format: 'jsonl',
    files: [{ url: `${QWEN}/amc23/test.jsonl` }],
    rows: 40,
    maxBytes: 16 * MiB,
  },
  math500: {
    benchmark: 'math500',
    path: 'benchmarks/math500.jsonl',
    format: 'jsonl',
    files: [{ url: `${HF}/HuggingFaceH4/MATH-500/resolve/main/test.jsonl` }],
    rows: 500,
    maxBytes: 64 * MiB,
  },
  minerva: {
    benchmark: 'minerva',
    path: 'benchmarks/minerva_math.jsonl',
    format: 'jsonl',
    files: [{ url: `${QWEN}/minerva_math/test.jsonl` }],
    rows: 272,
    maxBytes: 64 * MiB,
  },
  olympiadbench: {
    benchmark: 'olympiadbench',
    path: 'benchmarks/olympiadbench.jsonl',
    format: 'jsonl',
    files: [{ url: `${QWEN}/olympiadbench/test.jsonl` }],
    rows: 675,
    maxBytes: 64 * MiB,
  },
  humaneval: {
    benchmark: 'humaneval',
    path: 'code/humaneval.jsonl',
    format: 'parquet',
    files: [
      { url: `${HF}/openai/openai_humaneval/resolve/main/openai_humaneval/test-00000-of-00001.parquet` },
    ],
    rows: 164,
    maxBytes: 64 * MiB,
  },
  mbpp: {
    benchmark: 'mbpp',
    path: 'code/mbpp.jsonl',
    format: 'parquet',
    // Every split of the full set, as the data folder holds it (tests use tasks outside the test split).
    files: ['train', 'test', 'validation', 'prompt'].map((split) => ({
      url: `${HF}/google-research-datasets/mbpp/resolve/main/full/${split}-00000-of-00001.parquet`,
    })),
    rows: 974,
    sortBy: 'task_id',
    maxBytes: 64 * MiB,
  },
  livecodebench: {
    benchmark: 'livecodebench',
    path: 'code/livecodebench.jsonl',
    format: 'jsonl',
    // The releases so far, each file adding problems; private tests stay as released (compressed).
    files: ['test', 'test2', 'test3', 'test4', 'test5', 'test6'].map((file) => ({
      url: `${HF}/livecodebench/code_generation_lite/resolve/main/${file}.jsonl`,
    })),
    maxBytes: 4096 * MiB,
    onlyByName: true,
  },
};
