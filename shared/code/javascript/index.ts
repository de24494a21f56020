export { lostIsolates } from './engine.ts';
export { JavaScriptSandbox, type JavaScriptSandboxOptions } from './sandbox.ts';
