import type { RunLimits } from '../types.ts';
import type { Engine, Stage } from './engine.ts';
import type { Ending, Observed } from './result.ts';
import { CRASHED, type Outcome, PENDING } from './runtime/protocol.ts';
import { withoutRuntimeFrames } from './runtime/stack.ts';

/**
 * Runs one compiled program in a staged context: 'main' (the script itself), then one 'step' per
 * macrotask until the runtime reports its outcome. Every call into the isolate carries what is left of
 * the wall and CPU budgets as its timeout, and is raced against a catastrophic error of the isolate and
 * a host watchdog, so a run always ends even when V8 cannot be stopped.
 */

/** After the deadline, how long the host waits for isolated-vm to stop a run before giving up on it. */
const WATCHDOG_GRACE_MS = 1500;
const TIMED_OUT = 'Script execution timed out.';

type Abort = { abort: 'catastrophe' | 'watchdog'; message: string };
/** `error` comes with whether the call ran for its whole timeout (so a "timed out" error is real). */
type Reply = { value: unknown } | { error: unknown; usedTimeout: boolean } | Abort;

export interface Executed extends Observed {
  /** The isolate may hold state of this run (a stopped task, pending microtasks) or is gone. */
  retire: boolean;
  /**
   * The host gave up on the isolate (catastrophic error, or it did not stop at the deadline): its thread
   * may still hold the isolate's lock, so nothing synchronous may touch it again; dispose it.
   */
  abandoned: boolean;
  /** The program did not compile: V8's message (no program code ran). */
  syntaxError?: string;
}

export async function execute(
  engine: Engine,
  stage: Stage,
  program: { code: string; isAsync: boolean },
  stdin: string,
  limits: RunLimits,
  started: number,
): Promise<Executed> {
  const wallDeadline = performance.now() + limits.wallMs;
  const cpuStart = engine.isolate.cpuTime;
  const cpuMs = limits.cpuMs ?? limits.wallMs;
  const remaining = () => {
    const cpuUsed = Number(engine.isolate.cpuTime - cpuStart) / 1e6;
    return Math.min(wallDeadline - performance.now(), cpuMs - cpuUsed);
  };

  let watchdogFired: (a: Abort) => void = () => {};
  const watchdog = new Promise<Abort>((resolve) => {
    watchdogFired = resolve;
  });
  const timer = setTimeout(
    () => watchdogFired({ abort: 'watchdog', message: 'the isolate did not stop at its deadline' }),
    limits.wallMs + WATCHDOG_GRACE_MS,
  );
  const catastrophe = engine.catastrophe.then((c): Abort => ({ abort: 'catastrophe', message: c.message }));
  const call = (args: [string, ...unknown[]], timeout: number): Promise<Reply> => {
    const ms = Math.max(1, Math.ceil(timeout));
    const sent = performance.now();
    return Promise.race([
      stage.drive.apply(undefined, args, { timeout: ms, result: { copy: true } }).then(
        (value) => ({ value }),
        (error: unknown) => ({ error, usedTimeout: performance.now() - sent >= ms - 1 }),
      ),
      catastrophe,
      watchdog,
    ]);
  };

  let ending: Ending = 'finished';
  let outcome: Outcome | undefined;
  let abandoned = false;
  let reported = false;
  try {
    const memoryBytes = limits.memoryMb * 1024 * 1024;
    let reply = await call(
      ['main', program.code, program.isAsync, stdin, limits.outputBytes, memoryBytes],
      remaining(),
    );
    if ('value' in reply && typeof reply.value === 'string') {
      return {
        ending: 'finished',
        ms: performance.now() - started,
        retire: false,
        abandoned: false,
        syntaxError: reply.value,
      };
    }
    if ('value' in reply && reply.value === PENDING) reply = peek(stage, reply);
    for (;;) {
      if ('abort' in reply) {
        ending = reply.abort === 'catastrophe' && /out-of-memory/.test(reply.message) ? 'memory' : 'timeout';
        abandoned = true;
        break;
      }
      if ('error' in reply) {
        const failure = classify(reply.error, reply.usedTimeout, engine);
        if (failure === 'host') throw reply.error;
        if (failure !== undefined) {
          ending = failure;
          break;
        }
        // An unhandled rejection ended the last task: the runtime reports it as Node would. Should
        // reporting fail as well (a program can sabotage its own context), the host reports it.
        const report = describeRejection(reply.error);
        if (reported) {
          outcome = ['', report, 1, CRASHED];
          break;
        }
        reported = true;
        reply = await call(['fatal', report], remaining());
        if ('value' in reply) reply = await call(['finish'], remaining());
        continue;
      }
      if (reply.value !== PENDING) {
        outcome = asOutcome(reply.value);
        break;
      }
      if (remaining() <= 0) {
        ending = 'timeout';
        break;
      }
      reply = await call(['step'], remaining());
    }
    if (ending === 'timeout' && !abandoned && !engine.disposed && outcome === undefined) {
      // The task was stopped; the context still holds what the program printed before.
      const last = await call(['finish'], 500);
      if ('value' in last) outcome = asOutcome(last.value);
    }
  } finally {
    clearTimeout(timer);
  }
  const ms = performance.now() - started;
  const retire = ending !== 'finished' || engine.disposed;
  const memory = abandoned || engine.disposed ? undefined : engine.heapBytes();
  return {
    ending,
    ms,
    retire,
    abandoned,
    ...(outcome === undefined ? {} : { outcome }),
    ...(memory === undefined ? {} : { memory }),
  };
}

/**
 * Most programs are done once their main script and its microtasks have run (isolated-vm drains them
 * before 'main' returns). A synchronous 'peek' then returns the outcome without another trip to the
 * isolate's thread. The runtime answers it without running program code; the timeout is a backstop.
 */
function peek(stage: Stage, pendingReply: Reply): Reply {
  try {
    return { value: stage.drive.applySync(undefined, ['peek'], { timeout: 1000, result: { copy: true } }) };
  } catch {
    return pendingReply;
  }
}

/**
 * Why a call into the isolate failed: a limit, a fault of the host ('host': a bug, rethrown), or
 * undefined when the error is the program's own unhandled rejection, which isolated-vm hands over at
 * the end of the task (such errors carry the isolate's stack up to "<isolated-vm boundary>").
 */
function classify(error: unknown, usedTimeout: boolean, engine: Engine): Ending | 'host' | undefined {
  if (engine.disposed) return 'memory';
  if (!(error instanceof Error)) return undefined;
  // A program may reject with this very message; only a call that used up its budget timed out.
  if (error.message === TIMED_OUT && usedTimeout) return 'timeout';
  if (error.message.startsWith('Isolate was disposed')) return 'memory';
  return String(error.stack).includes('<isolated-vm boundary>') ? undefined : 'host';
}

/** Node's report of an unhandled rejection: the error's stack, without isolated-vm's or the runtime's frames. */
function describeRejection(error: unknown): string {
  if (error instanceof Error && typeof error.stack === 'string') {
    const lines = error.stack.split('\n');
    const boundary = lines.findIndex((l) => l.includes('<isolated-vm boundary>'));
    return withoutRuntimeFrames(`${(boundary < 0 ? lines : lines.slice(0, boundary)).join('\n')}\n`);
  }
  let text: string;
  try {
    text = String(error);
  } catch {
    text = 'a value that cannot be printed';
  }
  return (
    '[UnhandledPromiseRejection: This error originated either by throwing inside of an async function without a ' +
    'catch block, or by rejecting a promise which was not handled with .catch(). The promise rejected with the ' +
    `reason "${text}".] {\n  code: 'ERR_UNHANDLED_REJECTION'\n}\n`
  );
}

function asOutcome(value: unknown): Outcome {
  if (Array.isArray(value) && value.length === 4) {
    const [stdout, stderr, exitCode, flags] = value as unknown[];
    if (
      typeof stdout === 'string' &&
      typeof stderr === 'string' &&
      typeof exitCode === 'number' &&
      typeof flags === 'number'
    ) {
      return [stdout, stderr, exitCode, flags];
    }
  }
  return ['', 'the runtime returned no outcome\n', 1, 4];
}
