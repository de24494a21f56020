import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { JobInfo, JobRunner, JobSpec, SubmittedJob } from './runner.ts';

export interface LocalRunnerConfig {
  /** The program and its arguments; the job's `env` is added to this process's environment. */
  command: string[];
  /** Each job writes its stdout and stderr to `<logDir>/<job name>.log` (appended on re-runs). */
  logDir: string;
  cwd?: string;
  /**
   * Each message a job sends over an IPC channel (a Node job: `process.send`); with this set, jobs are
   * started with that channel.
   */
  onMessage?: (job: JobInfo, message: unknown) => void;
}

interface LocalJob {
  info: JobInfo;
  done: Promise<JobInfo>;
}

/**
 * Runs jobs on this machine as child processes, one at a time in submission order. A job whose
 * dependency failed fails too, without running (Batch's rule).
 */
export class LocalJobRunner implements JobRunner {
  readonly kind = 'local';
  readonly config: LocalRunnerConfig;
  private readonly jobs = new Map<string, LocalJob>();
  private tail: Promise<unknown> = Promise.resolve();
  private seq = 0;

  constructor(config: LocalRunnerConfig) {
    if (config.command.length === 0) throw new Error('the local runner needs a command to run');
    this.config = config;
  }

  async submit(spec: JobSpec): Promise<SubmittedJob> {
    const id = `local-${spec.name}-${Date.now().toString(36)}-${++this.seq}`;
    const info: JobInfo = {
      id,
      name: spec.name,
      state: 'pending',
      logUrl: join(this.config.logDir, `${spec.name}.log`),
    };
    const done = this.tail.then(() => this.run(info, spec));
    this.tail = done;
    this.jobs.set(id, { info, done });
    return { id, name: spec.name, logUrl: info.logUrl };
  }

  async describe(id: string): Promise<JobInfo | undefined> {
    const job = this.jobs.get(id);
    return job && { ...job.info };
  }

  /** Resolves when the job has finished (succeeded or failed). */
  async wait(id: string): Promise<JobInfo> {
    const job = this.jobs.get(id);
    if (!job) throw new Error(`unknown local job ${id}`);
    return { ...(await job.done) };
  }

  private async run(info: JobInfo, spec: JobSpec): Promise<JobInfo> {
    const failedDependency = spec.dependsOn.find((dep) => this.jobs.get(dep)?.info.state !== 'succeeded');
    if (failedDependency !== undefined) {
      info.state = 'failed';
      info.reason = `dependency ${failedDependency} did not succeed`;
      return info;
    }
    info.state = 'running';
    await mkdir(this.config.logDir, { recursive: true });
    const log = createWriteStream(info.logUrl as string, { flags: 'a' });
    await new Promise<void>((resolve) => log.once('open', () => resolve()));
    const [program, ...args] = this.config.command as [string, ...string[]];
    const exit = await new Promise<{ code: number | null; signal: string | null; error?: Error }>(
      (resolve) => {
        const onMessage = this.config.onMessage;
        const child = spawn(program, args, {
          cwd: this.config.cwd,
          env: { ...process.env, ...spec.env },
          stdio: onMessage ? ['ignore', log, log, 'ipc'] : ['ignore', log, log],
        });
        if (onMessage) child.on('message', (message) => onMessage({ ...info }, message));
        child.once('error', (error) => resolve({ code: null, signal: null, error }));
        // 'close' comes after the last message (and the output) has been read.
        child.once('close', (code, signal) => resolve({ code, signal }));
      },
    );
    await new Promise<void>((resolve) => log.end(resolve));
    if (exit.code === 0) {
      info.state = 'succeeded';
    } else {
      info.state = 'failed';
      info.reason = exit.error
        ? `could not start ${program}: ${exit.error.message}`
        : `exited with ${exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`}`;
    }
    return info;
  }
}
