import type { StageEvent } from '../../shared/jobs/stage-events.ts';
import { duration, isTerminal } from './progress.ts';

/** Off a terminal, a step line at most this often (a CI log of a long stage shows it is alive). */
const PLAIN_STEP_EVERY_MS = 60_000;

/**
 * `gradus stage run`'s output as it happens: a line when a stage is skipped, starts, seals a checkpoint
 * and ends (with its own reason); on a terminal also a live line with the current step and checkpoint.
 */
export function stageView(stream: NodeJS.WriteStream): (event: StageEvent) => void {
  const live = isTerminal(stream);
  let current: { stage: number; step?: number; total?: number; checkpoint?: number; t0: number } | undefined;
  let lastPlainStep = 0;

  const liveText = () => {
    if (!current) return '';
    const { stage, step, total, checkpoint, t0 } = current;
    const steps = step === undefined ? 'starting' : `step ${step}${total ? `/${total}` : ''}`;
    const saved = checkpoint === undefined ? 'no checkpoint yet' : `checkpoint step ${checkpoint}`;
    return `stage ${stage}: ${steps}, ${saved}, ${duration((performance.now() - t0) / 1000)}`;
  };
  const redraw = () => {
    if (live && current) stream.write(`\r${liveText()}\x1b[K`);
  };
  const line = (text: string) => {
    stream.write(live ? `\r${text}\x1b[K\n` : `${text}\n`);
    redraw();
  };
  const timer = live ? setInterval(redraw, 1000) : undefined;
  timer?.unref();

  return (event) => {
    switch (event.type) {
      case 'skipped':
        line(`stage ${event.stage}: already succeeded`);
        return;
      case 'started': {
        current = {
          stage: event.stage,
          total: event.totalSteps,
          checkpoint: event.resumedFrom,
          t0: performance.now(),
        };
        const steps = event.totalSteps ? `, ${event.totalSteps} steps` : '';
        const resumed = event.resumedFrom === undefined ? '' : `, resuming after step ${event.resumedFrom}`;
        line(`stage ${event.stage}: running${steps}${resumed}; log ${event.log ?? '-'}`);
        return;
      }
      case 'step': {
        if (current?.stage !== event.stage) return;
        current.step = event.step;
        current.total = event.totalSteps ?? current.total;
        if (live) return redraw();
        const now = performance.now();
        if (now - lastPlainStep < PLAIN_STEP_EVERY_MS) return;
        lastPlainStep = now;
        line(liveText());
        return;
      }
      case 'checkpoint':
        if (current?.stage === event.stage) current.checkpoint = event.step;
        line(`stage ${event.stage}: checkpoint step ${event.step} sealed`);
        return;
      case 'finished': {
        if (current?.stage === event.stage) current = undefined;
        const how =
          event.state === 'failed'
            ? `failed (${event.reason ?? 'no reason given'})`
            : `succeeded${event.reason ? ` (${event.reason})` : ''}`;
        const checkpoint = event.latestCheckpoint === undefined ? 'none' : `step ${event.latestCheckpoint}`;
        line(`stage ${event.stage}: ${how}, log ${event.log ?? '-'}; latest checkpoint: ${checkpoint}`);
        return;
      }
    }
  };
}
