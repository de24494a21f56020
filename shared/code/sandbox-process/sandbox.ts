import { type ChildProcess, fork } from 'node:child_process';
import { siblingEntry } from '../entry-url.ts';
import type { Language, RunLimits, RunResult, RunStatus, Sandbox } from '../types.ts';
import { MAX_REQUEST_CHARS, type RunRequest, readChildMessage } from './protocol.ts';

export interface ProcessSandboxOptions {
  /**
   * Isolates the child may lose for good (a catastrophic error, or a run the watchdog gave up on)
   * before it is replaced (default 1: each lost isolate keeps a sleeping thread and its heap).
   */
  maxLostIsolates?: number;
  /** Growth of the child's RSS over its RSS when ready, in MiB, past which it is replaced (default 96). */
  maxRssGrowthMb?: number;
  /** How long past its own limits a run may take before the host kills the child (default 5000 ms). */
  graceMs?: number;
  /** How long a new child may take to start (default 120 s: the first Python child may build a snapshot). */
  startMs?: number;
}

const CHILD_ENTRY = siblingEntry('child', import.meta.url);

/** A started child and what the host knows about it. */
interface Child {
  process: ChildProcess;
  readyRss: number;
  /** Settles with the child's message for run `id`, or with why no message will come. */
  pending: Map<number, (message: unknown) => void>;
  exited: boolean;
  /** Its RSS grew past the limit since ready: replace it once no run is in flight. */
  bloated: boolean;
}

/**
 * A `Sandbox` whose runs happen in a child process holding the real sandbox (child.ts). A run that V8
 * cannot stop, or that loses its isolate, costs the child, never the host: the child is SIGKILLed
 * (freeing its threads and memory) and a fresh one started in the background. A child that crashes or
 * misses a run's deadline is replaced too, and that run ends with memory_limit or timeout.
 */
export class ProcessSandbox implements Sandbox {
  readonly language: Language;
  readonly #options: Required<ProcessSandboxOptions>;
  #child: Promise<Child> | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  #nextId = 0;
  #disposed = false;
  #restarts = 0;

  constructor(language: Language, options: ProcessSandboxOptions = {}) {
    this.language = language;
    this.#options = {
      maxLostIsolates: options.maxLostIsolates ?? 1,
      maxRssGrowthMb: options.maxRssGrowthMb ?? 96,
      graceMs: options.graceMs ?? 5000,
      startMs: options.startMs ?? 120_000,
    };
  }

  /** Children replaced so far (the first one not counted). */
  get restarts(): number {
    return this.#restarts;
  }

  /** The pid of the current child, once started (for tests and diagnostics). */
  async pid(): Promise<number | undefined> {
    return (await this.#current()).process.pid;
  }

  /** Starts the child now rather than on the first run. */
  async ready(): Promise<void> {
    await this.#current();
  }

  run(program: string, stdin: string, limits: RunLimits): Promise<RunResult> {
    const job = this.#queue.then(() => this.#run(program, stdin, limits));
    this.#queue = job.catch(() => undefined);
    return job;
  }

  dispose(): void {
    this.#disposed = true;
    const child = this.#child;
    this.#child = undefined;
    child?.then(kill, () => undefined);
  }

  async #run(program: string, stdin: string, limits: RunLimits): Promise<RunResult> {
    if (this.#disposed) throw new Error('the sandbox was disposed');
    const started = performance.now();
    const size = program.length + stdin.length;
    if (size > MAX_REQUEST_CHARS) {
      return failed(
        'runtime_error',
        `the program and its input are too large to run (${size} characters)`,
        started,
      );
    }
    const child = await this.#current();
    const id = this.#nextId++;
    const deadlineMs = Math.max(limits.wallMs, limits.cpuMs ?? 0) + this.#options.graceMs;
    let timer: NodeJS.Timeout | undefined;
    const raw = await new Promise<unknown>((resolve) => {
      child.pending.set(id, resolve);
      timer = setTimeout(() => resolve({ deadline: true }), deadlineMs);
      const request: RunRequest = { type: 'run', id, program, stdin, limits };
      try {
        child.process.send(request, (err) => {
          if (err) resolve({ sendError: err });
        });
      } catch (err) {
        // A closed channel or a value JSON cannot carry.
        resolve({ sendError: err });
      }
    });
    clearTimeout(timer);
    child.pending.delete(id);

    const message = readChildMessage(raw, limits.outputBytes);
    if (message?.type === 'result' || message?.type === 'failed') {
      if (message.lost >= this.#options.maxLostIsolates || child.bloated) this.#replace(child);
      if (message.type === 'failed') throw new Error(`the sandbox child failed: ${message.message}`);
      return message.result;
    }
    // No answer: the child is gone, missed the deadline, or sent something that is no reply.
    this.#replace(child);
    const r = raw as { deadline?: true; exit?: string; sendError?: unknown };
    if (r?.sendError !== undefined) {
      return failed(
        'runtime_error',
        `the run could not be sent to its sandbox: ${String(r.sendError)}`,
        started,
      );
    }
    if (r?.deadline) return failed('timeout', '', started);
    if (r?.exit) return failed('memory_limit', '', started);
    return failed('runtime_error', 'the sandbox sent a malformed reply', started);
  }

  #current(): Promise<Child> {
    if (this.#disposed) return Promise.reject(new Error('the sandbox was disposed'));
    if (!this.#child) {
      const child = start(this.language, this.#options.startMs, this.#options.maxRssGrowthMb, (c) => {
        if (c.pending.size === 0 && !this.#disposed) this.#replace(c);
      });
      this.#child = child;
      child.catch(() => {
        if (this.#child === child) this.#child = undefined;
      });
    }
    return this.#child;
  }

  /** Kills `child` and starts its successor at once, so the next run need not wait for it. */
  #replace(child: Child): void {
    kill(child);
    this.#restarts++;
    const current = this.#child;
    this.#child = undefined;
    current?.then(
      (c) => c !== child && kill(c),
      () => undefined,
    );
    if (!this.#disposed) this.#current().catch(() => undefined);
  }
}

function failed(status: RunStatus, stderr: string, started: number): RunResult {
  return {
    status,
    stdout: '',
    stderr: stderr && `${stderr}\n`,
    exitCode: 1,
    ms: performance.now() - started,
  };
}

function kill(child: Child): void {
  if (!child.exited) child.process.kill('SIGKILL');
}

/**
 * Forks a child and resolves once it is ready. `onBloated` is called when the child reports an RSS
 * more than `maxRssGrowthMb` over its RSS when ready (after that, `bloated` is set).
 */
function start(
  language: Language,
  startMs: number,
  maxRssGrowthMb: number,
  onBloated: (child: Child) => void,
): Promise<Child> {
  const proc = fork(CHILD_ENTRY, [language], {
    execPath: process.execPath,
    execArgv: ['--no-node-snapshot'],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    serialization: 'json',
  });
  // An idle child does not keep the host alive (a CLI that never closes its runner still exits); a run
  // in flight does, by its deadline timer, and so does a start, by its own.
  proc.unref();
  proc.channel?.unref();
  const child: Child = { process: proc, readyRss: 0, pending: new Map(), exited: false, bloated: false };
  proc.on('message', (message: unknown) => {
    const id = (message as { id?: unknown } | null)?.id;
    if (typeof id === 'number') {
      child.pending.get(id)?.(message);
      return;
    }
    const report = readChildMessage(message, 0);
    if (report?.type !== 'rss' || child.bloated || child.readyRss === 0) return;
    if (report.rss - child.readyRss > maxRssGrowthMb * 1024 * 1024) {
      child.bloated = true;
      onBloated(child);
    }
  });
  proc.on('error', () => proc.kill('SIGKILL'));
  proc.once('exit', (code, signal) => {
    child.exited = true;
    const why = { exit: signal ?? String(code) };
    for (const resolve of child.pending.values()) resolve(why);
    child.pending.clear();
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`the ${language} sandbox child did not start within ${startMs} ms`));
    }, startMs);
    proc.on('message', function onReady(message: unknown) {
      const ready = readChildMessage(message, 0);
      if (ready?.type !== 'ready') return;
      proc.off('message', onReady);
      clearTimeout(timer);
      child.readyRss = ready.rss;
      resolve(child);
    });
    proc.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the ${language} sandbox child exited while starting (${signal ?? code})`));
    });
  });
}
