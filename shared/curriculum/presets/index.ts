import { readFile } from 'node:fs/promises';

/** Specs shipped with gradus, usable by name (`--spec paper`). */
export const PRESETS = ['paper', 'paper-mixed'] as const;
export type PresetName = (typeof PRESETS)[number];

export function isPreset(name: string): name is PresetName {
  return (PRESETS as readonly string[]).includes(name);
}

export function presetUrl(name: PresetName): URL {
  return new URL(`./${name}.yaml`, import.meta.url);
}

export function readPreset(name: PresetName): Promise<string> {
  return readFile(presetUrl(name), 'utf8');
}
