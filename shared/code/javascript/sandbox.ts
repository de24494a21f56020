import type { Language, RunLimits, RunResult, Sandbox } from '../types.ts';
import { Engine, releaseStage, type Stage } from './engine.ts';
import { execute } from './execute.ts';
import { compileErrorResult, toResult } from './result.ts';
import { describeCompileError, prepareSource } from './source.ts';

export interface JavaScriptSandboxOptions {
  /** 'typescript' strips types with esbuild on the host first (default 'javascript'). */
  language?: 'javascript' | 'typescript';
  /**
   * 'context' (default): every run gets a fresh V8 context (own global object and builtins) in a warm
   * isolate, which is replaced after any run that did not end cleanly, after `runsPerIsolate` runs, or
   * once its heap grows past a quarter of the memory limit. 'isolate': a fresh isolate for every run.
   */
  isolation?: 'context' | 'isolate';
  /** Runs one isolate serves in 'context' mode (default 200). */
  runsPerIsolate?: number;
  /** Called when isolated-vm loses an isolate for good (see lostIsolates in engine.ts). */
  onCatastrophicError?: (message: string) => void;
}

/** Staging a context runs only our runtime; this bounds it should V8 misbehave. */
const STAGE_TIMEOUT_MS = 5000;

/**
 * JavaScript and TypeScript programs in isolated-vm, with Node's stdin/stdout APIs emulated inside the
 * isolate (runtime/). Runs are serialised; the next context (or isolate) is prepared in the background
 * while the caller handles a result.
 */
export class JavaScriptSandbox implements Sandbox {
  readonly language: Language;
  readonly #isolation: 'context' | 'isolate';
  readonly #runsPerIsolate: number;
  readonly #onCatastrophe: ((message: string) => void) | undefined;
  #engine: Engine | undefined;
  #next: Promise<Stage | undefined> | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  #disposed = false;

  constructor(options: JavaScriptSandboxOptions = {}) {
    this.language = options.language ?? 'javascript';
    this.#isolation = options.isolation ?? 'context';
    this.#runsPerIsolate = options.runsPerIsolate ?? 200;
    this.#onCatastrophe = options.onCatastrophicError;
  }

  run(program: string, stdin: string, limits: RunLimits): Promise<RunResult> {
    const job = this.#queue.then(() => this.#run(program, stdin, limits));
    this.#queue = job.catch(() => {});
    return job;
  }

  dispose(): void {
    this.#disposed = true;
    this.#retire();
  }

  async #run(program: string, stdin: string, limits: RunLimits): Promise<RunResult> {
    if (this.#disposed) throw new Error('the JavaScript sandbox was disposed');
    const started = performance.now();
    const prepared = await prepareSource(program, this.language === 'typescript');
    if (!prepared.ok)
      return compileErrorResult(prepared.stderr, performance.now() - started, limits.outputBytes);

    const engine = this.#engineFor(limits.memoryMb);
    const stage = await this.#takeStage(engine);
    let retire = true;
    let abandoned = false;
    try {
      const executed = await execute(engine, stage, prepared, stdin, limits, started);
      abandoned = executed.abandoned;
      if (executed.syntaxError !== undefined) {
        retire = false;
        const stderr = await describeCompileError(engine.isolate, prepared.code, prepared.isAsync);
        return compileErrorResult(stderr, performance.now() - started, limits.outputBytes);
      }
      engine.runs++;
      retire =
        executed.retire ||
        this.#isolation === 'isolate' ||
        engine.runs >= this.#runsPerIsolate ||
        (executed.memory ?? 0) > (limits.memoryMb * 1024 * 1024) / 4;
      return toResult(executed, limits.outputBytes);
    } finally {
      // An abandoned isolate may be wedged with its lock held: dispose it without touching its handles.
      if (!abandoned) releaseStage(stage);
      if (retire) this.#retire();
      if (!this.#disposed) this.#prepare(limits.memoryMb);
    }
  }

  #engineFor(memoryMb: number): Engine {
    if (this.#engine && (this.#engine.memoryMb !== memoryMb || this.#engine.disposed)) this.#retire();
    this.#engine ??= new Engine(memoryMb, this.#onCatastrophe);
    return this.#engine;
  }

  /** The context prepared in the background for this engine, or a new one. */
  async #takeStage(engine: Engine): Promise<Stage> {
    const next = this.#next;
    this.#next = undefined;
    const staged = next ? await next : undefined;
    if (staged && this.#engine === engine && !engine.disposed) return staged;
    if (staged) releaseStage(staged);
    return engine.stage(STAGE_TIMEOUT_MS);
  }

  /** Stages the next run's context (and isolate) while the caller is busy with this result. */
  #prepare(memoryMb: number): void {
    if (this.#next) return;
    const engine = this.#engineFor(memoryMb);
    this.#next = engine.stage(STAGE_TIMEOUT_MS).catch(() => undefined);
  }

  #retire(): void {
    const next = this.#next;
    this.#next = undefined;
    next?.then((stage) => stage && releaseStage(stage));
    this.#engine?.dispose();
    this.#engine = undefined;
  }
}
