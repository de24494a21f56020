import { describe, expect, it } from 'vitest';
import { accessFromEnv, accessToEnv, DEFAULT_EVAL_ACCESS, urlAllowed } from '../../shared/eval/access.ts';

describe('the eval allow-lists', () => {
  it('by default allow no remote source and only loopback endpoints', () => {
    const access = accessFromEnv({});
    expect(access).toEqual(DEFAULT_EVAL_ACCESS);
    expect(urlAllowed('https://example.org/aime24.jsonl', access.sources)).toBe(false);
    expect(urlAllowed('s3://bucket/aime24.jsonl', access.sources)).toBe(false);
    for (const url of [
      'http://127.0.0.1:8000/v1',
      'http://localhost:1/v1',
      'https://[::1]/v1',
      'http://127.1/',
    ]) {
      expect(urlAllowed(url, access.baseUrls), url).toBe(true);
    }
    for (const url of ['http://10.0.0.1/v1', 'http://localhost.evil.org/v1', 'http://127.0.0.1.evil.org/']) {
      expect(urlAllowed(url, access.baseUrls), url).toBe(false);
    }
  });

  it('a URL prefix allows its own origin, under its path at a "/" boundary, after normalising the URL', () => {
    const list = ['https://data.example.org/evals/', 'http://10.0.0.5:8000/v1'];
    expect(urlAllowed('https://data.example.org/evals/aime24.jsonl', list)).toBe(true);
    expect(urlAllowed('https://DATA.example.org:443/evals/a.jsonl', list)).toBe(true);
    expect(urlAllowed('http://10.0.0.5:8000/v1', list)).toBe(true);
    expect(urlAllowed('http://10.0.0.5:8000/v1/chat', list)).toBe(true);
    for (const url of [
      'https://data.example.org/evals/../secret.jsonl',
      'https://data.example.org/evalsx/a.jsonl',
      'http://data.example.org/evals/a.jsonl',
      'https://data.example.org.evil.net/evals/a.jsonl',
      'https://data.example.org@evil.net/evals/a.jsonl',
      'https://user:pw@data.example.org/evals/a.jsonl',
      'http://10.0.0.5:8001/v1',
      'http://10.0.0.5:8000/v10',
      'file:///etc/passwd',
      'not a url',
    ]) {
      expect(urlAllowed(url, list), url).toBe(false);
    }
  });

  it('a host entry allows that host (and port, when given) over http and https', () => {
    expect(urlAllowed('https://models.internal/v1', ['models.internal'])).toBe(true);
    expect(urlAllowed('http://models.internal:8000/v1', ['models.internal'])).toBe(true);
    expect(urlAllowed('http://models.internal:8000/v1', ['models.internal:9000'])).toBe(false);
    expect(urlAllowed('http://sub.models.internal/v1', ['models.internal'])).toBe(false);
  });

  it('s3 entries allow objects under their bucket and prefix', () => {
    const list = ['s3://bucket/benchmarks/'];
    expect(urlAllowed('s3://bucket/benchmarks/aime24.jsonl', list)).toBe(true);
    expect(urlAllowed('s3://bucket/benchmarks-old/aime24.jsonl', list)).toBe(false);
    expect(urlAllowed('s3://bucket/benchmarks/../x.jsonl', list)).toBe(false);
    expect(urlAllowed('s3://other/benchmarks/aime24.jsonl', list)).toBe(false);
    expect(urlAllowed('https://bucket/benchmarks/aime24.jsonl', list)).toBe(false);
  });

  it('reads the environment: lists, "none", numbers; refuses nonsense', () => {
    const access = accessFromEnv({
      GRADUS_EVAL_ALLOWED_SOURCES: 'https://hf.co/datasets/, s3://b/evals',
      GRADUS_EVAL_ALLOWED_BASE_URLS: 'none',
      GRADUS_EVAL_MAX_SOURCE_BYTES: '1000',
      GRADUS_EVAL_MAX_CONCURRENCY: '8',
    });
    expect(access).toEqual({
      sources: ['https://hf.co/datasets/', 's3://b/evals'],
      baseUrls: [],
      maxSourceBytes: 1000,
      maxConcurrency: 8,
    });
    expect(urlAllowed('http://127.0.0.1/v1', access.baseUrls)).toBe(false);
    expect(accessFromEnv(accessToEnv(access))).toEqual(access);
    expect(() => accessFromEnv({ GRADUS_EVAL_MAX_CONCURRENCY: '0' })).toThrow(/GRADUS_EVAL_MAX_CONCURRENCY/);
    expect(() => accessFromEnv({ GRADUS_EVAL_ALLOWED_SOURCES: 'S3://b/x' })).toThrow(/lower case/);
    expect(() => accessFromEnv({ GRADUS_EVAL_ALLOWED_BASE_URLS: 'ftp://x/' })).toThrow(/not a URL prefix/);
  });
});
