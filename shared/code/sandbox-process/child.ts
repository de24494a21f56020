/**
 * A sandbox child: hosts one sandbox of the language named in argv[2] and runs what its parent sends
 * (see protocol.ts). Started by ProcessSandbox (sandbox.ts) with --no-node-snapshot. It has no other
 * job, so the parent can SIGKILL it at any time: that is how lost isolates and their memory are freed.
 */
import { lostIsolates } from '../javascript/engine.ts';
import { DEFAULT_RUN_LIMITS, type Language, type Sandbox } from '../types.ts';
import { type ChildMessage, LANGUAGES, type RunRequest } from './protocol.ts';

const send = process.send?.bind(process);
if (!send) {
  console.error('shared/code/sandbox-process/child.ts runs only as a forked child of ProcessSandbox');
  process.exit(2);
}
// The parent is gone: nothing here is worth a clean exit (a lost isolate would make one hang).
process.on('disconnect', () => process.kill(process.pid, 'SIGKILL'));

const language = process.argv[2] as Language;
if (!LANGUAGES.includes(language)) {
  console.error(`sandbox child: unknown language "${process.argv[2]}"`);
  process.exit(2);
}

const reply = (message: ChildMessage) =>
  send(message, undefined, {}, (err: Error | null) => {
    if (err) process.kill(process.pid, 'SIGKILL');
  });
const rss = () => process.memoryUsage.rss();
/** How long after a run its memory is measured (a retired isolate is freed in the background). */
const RSS_SETTLE_MS = 200;

// Only the language's own modules are loaded: a JavaScript child starts without Pyodide.
const sandbox: Sandbox =
  language === 'python'
    ? await (await import('../python/index.ts')).PythonSandbox.create()
    : new (await import('../javascript/index.ts')).JavaScriptSandbox({ language });
// One run before saying ready, so the runtime snapshot and the first isolate exist when work arrives.
await sandbox.run(language === 'python' ? 'pass' : '0', '', DEFAULT_RUN_LIMITS).catch(() => undefined);

process.on('message', async (message: RunRequest) => {
  if (message?.type !== 'run') return;
  const { id } = message;
  try {
    const result = await sandbox.run(message.program, message.stdin, message.limits);
    reply({ type: 'result', id, result, lost: lostIsolates(), rss: rss() });
    setTimeout(() => reply({ type: 'rss', rss: rss() }), RSS_SETTLE_MS).unref();
  } catch (err) {
    const text = err instanceof Error ? err.message : String(err);
    reply({ type: 'failed', id, message: text, lost: lostIsolates(), rss: rss() });
  }
});
reply({ type: 'ready', rss: rss() });
