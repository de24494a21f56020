/** Outcome of checking one answer. `status` says why a verdict is false when nothing was compared. */
export type MathStatus = 'ok' | 'no_answer' | 'unparseable' | 'timeout' | 'too_large';

/** Which places of a response an answer may be taken from, in Math-Verify's terms. */
export type ExtractionTarget = 'latex' | 'expr';

export interface MathOptions {
  /** Hard per-item budget in milliseconds; enforced by the worker pool, checked cooperatively inline. */
  timeoutMs: number;
  /**
   * Only the last this many characters of the answer region (after `</think>`) are read, so a long
   * response is graded by its ending; a gold answer longer than this is `too_large`.
   */
  maxResponseChars: number;
  /** Extracted answers longer than this are not parsed (`too_large`). */
  maxAnswerChars: number;
  /** Decimal places two numbers are rounded to before comparing (Math-Verify's `float_rounding`). */
  precision: number;
  /** When false, answers that differ only in the names of their variables are equal. */
  strict: boolean;
  /** Let an interval answer match an inequality gold in both directions (not only inequality gold vs interval). */
  allowSetRelation: boolean;
  /** Where answers may be found: LaTeX (boxed, anchors, math delimiters) and/or plain expressions and numbers. */
  extraction: ExtractionTarget[];
  /**
   * The text after the last `</think>` is graded, and a `<think>` never closed is always `no_answer`.
   * This option decides a response with no think tags at all: false grades all of it, true makes it
   * `no_answer` (for prompts that open the think block themselves, as DeepScaleR requires `</think>`).
   */
  requireThinkClose: boolean;
  /** Accept a pred with a percent sign against a bare gold of the same number (`10\%` vs `10`). */
  percentLenient: boolean;
}

export const DEFAULT_MATH_OPTIONS: MathOptions = {
  timeoutMs: 1000,
  maxResponseChars: 262_144,
  maxAnswerChars: 4096,
  precision: 6,
  strict: true,
  allowSetRelation: false,
  extraction: ['latex', 'expr'],
  requireThinkClose: false,
  percentLenient: true,
};

export interface MathVerdict {
  score: number;
  correct: boolean;
  status: MathStatus;
  /** The answer text taken from the response, or null when none was found. */
  extracted: string | null;
  /** The gold answer as it was understood, in normalised LaTeX. */
  gold_parsed?: string;
  /** Why the verdict is what it is, when that is not obvious (a failed parse, a size limit, ...). */
  reason?: string;
  ms: number;
}
