/** A one-line progress display on a TTY stream; does nothing on anything else. */
export interface ProgressBar {
  /** `done` items so far; `fraction` of the input read, when known. */
  update(done: number, fraction?: number): void;
  finish(done: number): void;
}

const REDRAW_EVERY_MS = 100;
const BAR_WIDTH = 24;

export function progressBar(stream: NodeJS.WriteStream = process.stderr): ProgressBar {
  if (!stream.isTTY) return { update() {}, finish() {} };
  const t0 = performance.now();
  let lastDraw = 0;
  const draw = (done: number, fraction: number | undefined, final: boolean) => {
    const seconds = (performance.now() - t0) / 1000;
    const rate = seconds > 0 ? Math.round(done / seconds) : 0;
    let bar = '';
    if (fraction !== undefined) {
      const filled = Math.round(Math.min(1, Math.max(0, fraction)) * BAR_WIDTH);
      bar = `[${'#'.repeat(filled)}${' '.repeat(BAR_WIDTH - filled)}] ${Math.floor(fraction * 100)}% `;
    }
    stream.write(
      `\r${bar}${done.toLocaleString('en')} items, ${rate.toLocaleString('en')}/s\x1b[K${final ? '\n' : ''}`,
    );
  };
  return {
    update(done, fraction) {
      const now = performance.now();
      if (now - lastDraw < REDRAW_EVERY_MS) return;
      lastDraw = now;
      draw(done, fraction, false);
    },
    finish(done) {
      draw(done, 1, true);
    },
  };
}
