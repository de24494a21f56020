export { parseJsonExact, toJson } from './json.ts';
export { parseGroundTruth } from './parse.ts';
export * from './schema.ts';
export * from './types.ts';
