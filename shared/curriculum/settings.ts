import type { StageSettings } from '../formats/stage-manifest.ts';

/** A stage's settings over the spec's defaults; trainer overrides merge key by key. */
export function mergeSettings(
  defaults: Partial<StageSettings> | undefined,
  own: Partial<StageSettings> | undefined,
): Partial<StageSettings> {
  const merged = { ...defaults, ...own };
  if (defaults?.trainer_overrides || own?.trainer_overrides) {
    merged.trainer_overrides = { ...defaults?.trainer_overrides, ...own?.trainer_overrides };
  }
  return merged;
}
