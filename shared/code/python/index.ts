export { loadAssets, type PythonAssets } from './assets.ts';
export { DEFAULT_RECURSION_LIMIT, PythonInterpreter, type RawRun } from './interpreter.ts';
export { PythonSandbox, type PythonSandboxOptions } from './sandbox.ts';
export {
  defaultSnapshotDir,
  makeSnapshot,
  type PythonSnapshot,
  type PythonSnapshotOptions,
  pythonSnapshot,
} from './snapshot.ts';
