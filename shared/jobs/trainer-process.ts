import { spawn } from 'node:child_process';
import { stepScanner } from './stage-events.ts';

export interface TrainerExit {
  code: number | null;
  signal: string | null;
}

export interface TrainerProcess {
  /** Resolves once the trainer's output is read to the end. */
  exited: Promise<TrainerExit>;
  /**
   * Asks the trainer to stop: SIGTERM to its whole process group (verl's workers included), SIGKILL if it
   * is still there after `graceMs`. True the first time, false when a stop was already asked for.
   */
  stop(graceMs: number): boolean;
  stopRequested(): boolean;
}

/**
 * Runs the trainer (`sh -c`) in a process group of its own, so that stopping it reaches every process it
 * started, with this process's stderr; its stdout is copied through and `onStep` hears the steps it
 * reports. SIGTERM and SIGINT sent to this process are passed to the group.
 */
export function startTrainer(
  command: string,
  env: Record<string, string>,
  onStep: (step: number) => void,
): TrainerProcess {
  const child = spawn('sh', ['-c', command], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: true,
  });
  let exitedYet = false;
  let stopping = false;
  const signalGroup = (signal: NodeJS.Signals) => {
    if (exitedYet || child.pid === undefined) return;
    try {
      process.kill(-child.pid, signal);
    } catch {
      // The group is gone already.
    }
  };
  const scan = stepScanner(onStep);
  child.stdout.setEncoding('utf8').on('data', (text: string) => {
    process.stdout.write(text);
    scan(text);
  });
  const forward = (signal: NodeJS.Signals) => signalGroup(signal);
  process.on('SIGTERM', forward).on('SIGINT', forward);
  let killTimer: NodeJS.Timeout | undefined;
  const exited = new Promise<TrainerExit>((resolve, reject) => {
    child.once('error', (err) => {
      process.off('SIGTERM', forward).off('SIGINT', forward);
      reject(err);
    });
    // 'close', not 'exit': the trainer's last lines (its last step) are read by then.
    child.once('close', (code, signal) => {
      exitedYet = true;
      clearTimeout(killTimer);
      process.off('SIGTERM', forward).off('SIGINT', forward);
      resolve({ code, signal });
    });
  });
  return {
    exited,
    stop(graceMs) {
      if (stopping) return false;
      stopping = true;
      signalGroup('SIGTERM');
      killTimer = setTimeout(() => signalGroup('SIGKILL'), graceMs);
      killTimer.unref();
      return true;
    },
    stopRequested: () => stopping,
  };
}
