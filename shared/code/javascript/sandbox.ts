import type { Language, RunLimits, RunResult, Sandbox } from '../types.ts';
import { Engine, releaseStage, type Stage } from './engine.ts';
import { execute } from './execute.ts';
import { runtimeSnapshot } from './prelude.ts';
import { compileErrorResult, toResult } from './result.ts';
import { describeCompileError, prepareSource } from './source.ts';

export interface JavaScriptSandboxOptions {
  /** 'typescript' strips types with esbuild on the host first (default 'javascript'). */
  language?: 'javascript' | 'typescript';
  /**
   * 'context' (default): every run gets a fresh V8 context (own global object and builtins) in one of
   * two warm isolates; an isolate is replaced after any run that did not end cleanly, after
   * `runsPerIsolate` runs, or once its heap grows past a quarter of the memory limit.
   * 'isolate': a fresh isolate for every run.
   */
  isolation?: 'context' | 'isolate';
  /** Runs one isolate serves in 'context' mode (default 200). */
  runsPerIsolate?: number;
  /** Called when isolated-vm loses an isolate for good (see lostIsolates in engine.ts). */
  onCatastrophicError?: (message: string) => void;
}

/** A context ready for a run, on the isolate held in `slot`. */
interface Staged {
  slot: number;
  engine: Engine;
  stage: Stage;
}

/**
 * JavaScript and TypeScript programs in isolated-vm, with Node's stdin/stdout APIs emulated inside the
 * isolate (runtime/). Runs are serialised; the next run's context is prepared on a second isolate (its
 * own thread) while the current run executes.
 */
export class JavaScriptSandbox implements Sandbox {
  readonly language: Language;
  readonly #isolation: 'context' | 'isolate';
  readonly #runsPerIsolate: number;
  readonly #onCatastrophe: ((message: string) => void) | undefined;
  /** Two warm isolates: while a run uses one, the next run's context is staged on the other. */
  readonly #engines: Array<Engine | undefined> = [undefined, undefined];
  #next: Promise<Staged | undefined> | undefined;
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
    this.#retireAll();
  }

  async #run(program: string, stdin: string, limits: RunLimits): Promise<RunResult> {
    if (this.#disposed) throw new Error('the JavaScript sandbox was disposed');
    const started = performance.now();
    const prepared = await prepareSource(program, this.language === 'typescript');
    if (!prepared.ok)
      return compileErrorResult(prepared.stderr, performance.now() - started, limits.outputBytes);

    const { slot, engine, stage } = await this.#take(limits.memoryMb);
    // The next run's context is staged on the other isolate, on another thread, while this one runs.
    this.#next = this.#stageOn(1 - slot, limits.memoryMb).catch(() => undefined);
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
      else engine.markLost();
      if (retire) this.#retire(slot, engine);
    }
  }

  /** The context staged during the previous run, if still usable, or one staged now. */
  async #take(memoryMb: number): Promise<Staged> {
    const next = this.#next;
    this.#next = undefined;
    const staged = next ? await next : undefined;
    if (staged && this.#engines[staged.slot] === staged.engine && staged.engine.memoryMb === memoryMb)
      return staged;
    if (staged) releaseStage(staged.stage);
    return this.#stageOn(staged?.slot ?? 0, memoryMb);
  }

  /** A fresh context on the isolate of `slot`, creating (or replacing) that isolate as needed. */
  async #stageOn(slot: number, memoryMb: number): Promise<Staged> {
    let engine = this.#engines[slot];
    if (engine && (engine.memoryMb !== memoryMb || engine.disposed)) {
      this.#retire(slot, engine);
      engine = undefined;
    }
    if (engine === undefined) {
      const snapshot = await runtimeSnapshot();
      if (this.#disposed) throw new Error('the JavaScript sandbox was disposed');
      engine = new Engine(memoryMb, snapshot, this.#onCatastrophe);
      this.#engines[slot] = engine;
    }
    return { slot, engine, stage: await engine.stage() };
  }

  #retire(slot: number, engine: Engine): void {
    if (this.#engines[slot] === engine) this.#engines[slot] = undefined;
    engine.dispose();
  }

  #retireAll(): void {
    const next = this.#next;
    this.#next = undefined;
    next?.then((staged) => staged && releaseStage(staged.stage));
    for (const [slot, engine] of this.#engines.entries()) if (engine) this.#retire(slot, engine);
  }
}
