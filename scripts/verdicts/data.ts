/** Whether the labelled data (math/ and code/, found by ../data-dir.ts) is there, and the line to print when not. */
import { findData, missingDataLine } from '../data-dir.ts';

const NEEDED = ['math', 'code'];

export const MISSING_DATA = `${missingDataLine(NEEDED.filter((rel) => findData(rel) === undefined))}; needed to check verdicts`;

export const hasData = () => NEEDED.every((rel) => findData(rel) !== undefined);
