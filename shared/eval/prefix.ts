/**
 * Where an evaluation goes: every file of one evaluation lies under one storage prefix, `evals/<id>/` for
 * POST /v1/eval, `runs/<run>/stages/<k>/evals/<step>/` for a checkpoint (shared/jobs/checkpoint-eval.ts),
 * and `` for a `gradus eval --out` folder. Free of schemas and I/O, so the stage trigger can use it cheaply.
 */
export function evalFiles(prefix: string) {
  return {
    plan: `${prefix}plan.json`,
    status: `${prefix}status.json`,
    results: `${prefix}results.json`,
    markdown: `${prefix}report.md`,
    html: `${prefix}report.html`,
  };
}
export type EvalFiles = ReturnType<typeof evalFiles>;

export const EVAL_ID = /^ev-[a-z0-9-]{6,64}$/;

/** The prefix of API evaluation `id`. */
export const evalPrefix = (id: string) => `evals/${id}/`;

/** The id an API evaluation's prefix names, or undefined for any other prefix. */
export function evalIdOfPrefix(prefix: string): string | undefined {
  const m = /^evals\/([^/]+)\/$/.exec(prefix);
  return m?.[1] !== undefined && EVAL_ID.test(m[1]) ? m[1] : undefined;
}

/**
 * The environment of the eval job (`gradus eval job`, read back by shared/jobs/eval-job.ts): the storage
 * and the prefix. `GRADUS_JOB_KIND=eval` is what makes the container's entrypoint run `gradus eval job`.
 */
export function evalJobEnv(storageUrl: string, prefix: string, jobName: string): Record<string, string> {
  return {
    GRADUS_JOB_KIND: 'eval',
    GRADUS_JOB_NAME: jobName,
    GRADUS_STORAGE_URL: storageUrl,
    GRADUS_EVAL_PREFIX: prefix,
  };
}
