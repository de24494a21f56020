// The part of workerd's `cloudflare:workers` module these tests use (the runtime provides it; tsc does not know it).
declare module 'cloudflare:workers' {
  /** The Worker's own exports, called through a loopback binding (the main module's default export). */
  export const exports: {
    default: { fetch(input: string, init?: RequestInit): Promise<Response> };
  };
}
