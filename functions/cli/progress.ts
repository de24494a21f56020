/**
 * What a long command shows while it works. On a terminal: a bar of items done out of the total (once
 * counted), with rate and ETA. Anywhere else (a pipe, a file, CI): nothing while running, then the one
 * summary line the command writes with `summaryLine`.
 */
export interface ProgressBar {
  /**
   * `done` items so far. A second argument (a fraction of the input *read*, which runs ahead of what is
   * done) is accepted for the shared progress interfaces and ignored: the bar counts items only.
   */
  update(done: number, _readFraction?: number): void;
  /** Draws the final count and ends the bar's line. */
  finish(done: number): void;
}

export interface ProgressOptions {
  /** Shown before the bar: the step or phase. */
  label?: string;
  /** What is counted (default "items"). */
  unit?: string;
  /** The number of items, when known; a promise while it is being counted (undefined: unknown). */
  total?: number | Promise<number | undefined>;
}

const BAR_WIDTH = 24;
/** Redraws at most this often, except when the whole percent changes. */
const REDRAW_MS = 100;
/** Rate and ETA keep moving between updates (a batch can take a while). */
const TICK_MS = 500;

export function isTerminal(stream: NodeJS.WriteStream): boolean {
  return stream.isTTY === true;
}

export function progressBar(
  stream: NodeJS.WriteStream = process.stderr,
  options: ProgressOptions = {},
): ProgressBar {
  if (!isTerminal(stream)) return { update() {}, finish() {} };
  const unit = options.unit ?? 'items';
  const label = options.label ? `${options.label} ` : '';
  let total = typeof options.total === 'number' ? options.total : undefined;
  if (options.total instanceof Promise) {
    options.total.then(
      (n) => {
        total = n;
      },
      () => {}, // a count that failed only costs the percentage
    );
  }
  const t0 = performance.now();
  let done = 0;
  let lastDraw = Number.NEGATIVE_INFINITY;
  let lastPercent = -1;
  let finished = false;

  const percentOf = (n: number) => (total ? Math.floor((Math.min(n, total) / total) * 100) : undefined);
  const draw = (final: boolean) => {
    lastDraw = performance.now();
    const seconds = (lastDraw - t0) / 1000;
    const shownTotal = total === undefined ? undefined : Math.max(total, done);
    const percent = percentOf(done);
    lastPercent = percent ?? -1;
    const parts: string[] = [];
    if (shownTotal !== undefined && percent !== undefined) {
      const filled = Math.round((percent / 100) * BAR_WIDTH);
      parts.push(
        `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${percent}% ${count(done)}/${count(shownTotal)} ${unit}`,
      );
    } else {
      parts.push(`${count(done)} ${unit}`);
    }
    parts.push(rate(done, seconds));
    if (final) parts.push(`in ${duration(seconds)}`);
    else if (shownTotal !== undefined && done > 0 && seconds > 0) {
      parts.push(`ETA ${duration((shownTotal - done) / (done / seconds))}`);
    }
    stream.write(`\r${label}${parts.join(', ')}\x1b[K${final ? '\n' : ''}`);
  };
  const timer = setInterval(() => draw(false), TICK_MS);
  timer.unref();
  draw(false);

  return {
    update(n) {
      if (finished) return;
      done = n;
      if (percentOf(n) !== lastPercent || performance.now() - lastDraw >= REDRAW_MS) draw(false);
    },
    finish(n) {
      if (finished) return;
      finished = true;
      clearInterval(timer);
      done = n;
      if (total === undefined || total < n) total = n;
      draw(true);
    },
  };
}

/** Ends a command's output: one line on every stream (on a terminal, on a line of its own). */
export function summaryLine(stream: NodeJS.WriteStream, text: string): void {
  stream.write(isTerminal(stream) ? `\r\x1b[K${text}\n` : `${text}\n`);
}

/** Counts, rate and elapsed time, for summary lines: `1,000 items in 2.0s (500/s)`. */
export function countedIn(n: number, unit: string, seconds: number): string {
  return `${count(n)} ${unit} in ${duration(seconds)} (${rate(n, seconds)})`;
}

/** Seconds since `t0` (a `performance.now()` reading). */
export function secondsSince(t0: number): number {
  return (performance.now() - t0) / 1000;
}

export function count(n: number): string {
  return n.toLocaleString('en');
}

/** Items per second: `1,234/s`, `2.5/s`. */
export function rate(n: number, seconds: number): string {
  if (seconds <= 0 || n === 0) return '0/s';
  const r = n / seconds;
  return `${r >= 10 ? count(Math.round(r)) : r.toFixed(1)}/s`;
}

/** `0.4s`, `12s`, `3m05s`, `2h07m`. */
export function duration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  if (seconds < 10) return `${seconds.toFixed(1)}s`;
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}
