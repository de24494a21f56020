import { type HarnessMode, harnessProgram, leetcodePrelude } from '../harness/index.ts';

const MODES: readonly HarnessMode[] = ['call', 'record', 'replay'];

/**
 * Program texts compiled once into the memory snapshot: a run of one of them takes the code object
 * from there instead of compiling the text again (isolate/runner.py, `_gradus_precompile`). These are
 * the test harness's programs: compiling one was ~20 ms, most of a harness run.
 */
export const PRECOMPILED_PROGRAMS: readonly string[] = MODES.map(harnessProgram);

/**
 * Sources the harness compiles itself, as [filename, text]: it finds their code objects through the
 * module `_gradus_precompiled` (`lookup((filename, text))`) and compiles only what is not there. The
 * LeetCode prelude goes with every call test and every LeetCode check.
 */
export const PRECOMPILED_SOURCES: readonly (readonly [string, string])[] = [['<prelude>', leetcodePrelude()]];
