// The Lambda function's architecture and Node, shared by the artifact's build and its native module.

export type LambdaArch = 'x86_64' | 'arm64';

/** Node's name for each Lambda architecture (process.arch, the platform package names). */
export const NODE_ARCH: Record<LambdaArch, string> = { x86_64: 'x64', arm64: 'arm64' };

/** Lambda's `nodejs24.x` runs Node 24: native modules built for ABI 137. */
export const LAMBDA_NODE_ABI = 137;

export function lambdaArch(value = process.env.LAMBDA_ARCH ?? 'x86_64'): LambdaArch {
  if (value === 'x86_64' || value === 'arm64') return value;
  throw new Error(`LAMBDA_ARCH must be x86_64 or arm64, got "${value}"`);
}
