import { type ChildProcess, spawn } from 'node:child_process';

/**
 * vLLM's OpenAI-compatible server on the downloaded checkpoint (the trainer image ships vLLM with verl).
 * The variables are set by `startModelServer` for the shell that runs the command; a deployment can
 * replace the command (GRADUS_EVAL_SERVER_COMMAND), e.g. to add `--tensor-parallel-size` or use SGLang.
 * The context fits the paper preset's 32k generated tokens plus the prompt.
 */
export const DEFAULT_SERVER_COMMAND =
  'exec vllm serve "$GRADUS_EVAL_MODEL_DIR" --host 127.0.0.1 --port "$GRADUS_EVAL_PORT" ' +
  '--served-model-name "$GRADUS_EVAL_SERVED_NAME" --max-model-len 34816';

export interface ModelServerOptions {
  command?: string;
  modelDir: string;
  port: number;
  servedName: string;
  /** How long the server may take to answer GET /v1/models (loading weights takes minutes). */
  timeoutMs: number;
  pollMs?: number;
}

export interface ModelServer {
  baseUrl: string;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function answers(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
    await res.body?.cancel();
    return res.ok;
  } catch {
    return false;
  }
}

function stopGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined)
    return Promise.resolve();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-(child.pid as number), name); // the whole group: vLLM starts worker processes
    } catch {
      // already gone
    }
  };
  signal('SIGTERM');
  const forced = setTimeout(() => signal('SIGKILL'), 10_000);
  return exited.finally(() => clearTimeout(forced));
}

/**
 * Starts the inference server in its own process group (its output goes to this job's log) and waits
 * until `GET /v1/models` answers. Fails with the exit status when the server dies first, or on timeout.
 */
export async function startModelServer(options: ModelServerOptions): Promise<ModelServer> {
  const child = spawn('sh', ['-c', options.command ?? DEFAULT_SERVER_COMMAND], {
    detached: true,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: {
      ...process.env,
      GRADUS_EVAL_MODEL_DIR: options.modelDir,
      GRADUS_EVAL_PORT: String(options.port),
      GRADUS_EVAL_SERVED_NAME: options.servedName,
    },
  });
  let exit: string | undefined;
  child.once('exit', (code, signal) => {
    exit = signal ? `signal ${signal}` : `code ${code}`;
  });
  child.once('error', (err) => {
    exit = err.message;
  });
  const baseUrl = `http://127.0.0.1:${options.port}/v1`;
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    if (exit !== undefined)
      throw new Error(`the model server exited (${exit}) before it answered ${baseUrl}`);
    if (await answers(`${baseUrl}/models`)) break;
    if (Date.now() >= deadline) {
      await stopGroup(child);
      throw new Error(`the model server did not answer ${baseUrl}/models within ${options.timeoutMs} ms`);
    }
    await sleep(options.pollMs ?? 500);
  }
  return { baseUrl, stop: () => stopGroup(child) };
}
