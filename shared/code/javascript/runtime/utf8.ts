/** UTF-8 in plain JavaScript: a bare isolate has no TextEncoder. Lone surrogates become U+FFFD. */

/** Bytes of `text` in UTF-8, counting the first `limit` bytes at most (then stops early). */
export function utf8Length(text: string, limit = Number.POSITIVE_INFINITY): number {
  let bytes = 0;
  for (let i = 0; i < text.length && bytes <= limit; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c < 0xdc00 && i + 1 < text.length && isLow(text.charCodeAt(i + 1))) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/** The longest prefix of `text` whose UTF-8 form fits in `maxBytes`. */
export function utf8Prefix(text: string, maxBytes: number): string {
  let bytes = 0;
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    const pair = c >= 0xd800 && c < 0xdc00 && i + 1 < text.length && isLow(text.charCodeAt(i + 1));
    const size = c < 0x80 ? 1 : c < 0x800 ? 2 : pair ? 4 : 3;
    if (bytes + size > maxBytes) break;
    bytes += size;
    i += pair ? 2 : 1;
  }
  return text.slice(0, i);
}

export function utf8Encode(text: string): Uint8Array {
  const out = new Uint8Array(utf8Length(text));
  let at = 0;
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c < 0x80) {
      out[at++] = c;
      continue;
    }
    if (c < 0x800) {
      out[at++] = 0xc0 | (c >> 6);
      out[at++] = 0x80 | (c & 0x3f);
      continue;
    }
    if (c >= 0xd800 && c < 0xdc00 && i + 1 < text.length && isLow(text.charCodeAt(i + 1))) {
      c = 0x10000 + ((c - 0xd800) << 10) + (text.charCodeAt(++i) - 0xdc00);
      out[at++] = 0xf0 | (c >> 18);
      out[at++] = 0x80 | ((c >> 12) & 0x3f);
      out[at++] = 0x80 | ((c >> 6) & 0x3f);
      out[at++] = 0x80 | (c & 0x3f);
      continue;
    }
    if (c >= 0xd800 && c < 0xe000) c = 0xfffd;
    out[at++] = 0xe0 | (c >> 12);
    out[at++] = 0x80 | ((c >> 6) & 0x3f);
    out[at++] = 0x80 | (c & 0x3f);
  }
  return out;
}

export function utf8Decode(bytes: Uint8Array, start = 0, end = bytes.length): string {
  const parts: string[] = [];
  let units: number[] = [];
  let i = start;
  while (i < end) {
    const b = bytes[i] as number;
    let cp = 0xfffd;
    let size = 1;
    if (b < 0x80) cp = b;
    else if (b >= 0xc2 && b < 0xe0 && cont(bytes, i + 1, end)) {
      cp = ((b & 0x1f) << 6) | ((bytes[i + 1] as number) & 0x3f);
      size = 2;
    } else if (b >= 0xe0 && b < 0xf0 && cont(bytes, i + 1, end) && cont(bytes, i + 2, end)) {
      const v =
        ((b & 0x0f) << 12) | (((bytes[i + 1] as number) & 0x3f) << 6) | ((bytes[i + 2] as number) & 0x3f);
      if (v >= 0x800 && (v < 0xd800 || v >= 0xe000)) [cp, size] = [v, 3];
    } else if (
      b >= 0xf0 &&
      b < 0xf5 &&
      cont(bytes, i + 1, end) &&
      cont(bytes, i + 2, end) &&
      cont(bytes, i + 3, end)
    ) {
      const v =
        ((b & 0x07) << 18) |
        (((bytes[i + 1] as number) & 0x3f) << 12) |
        (((bytes[i + 2] as number) & 0x3f) << 6) |
        ((bytes[i + 3] as number) & 0x3f);
      if (v >= 0x10000 && v < 0x110000) [cp, size] = [v, 4];
    }
    if (cp >= 0x10000) units.push(0xd800 + ((cp - 0x10000) >> 10), 0xdc00 + ((cp - 0x10000) & 0x3ff));
    else units.push(cp);
    i += size;
    if (units.length >= 8192) {
      parts.push(String.fromCharCode.apply(null, units));
      units = [];
    }
  }
  parts.push(String.fromCharCode.apply(null, units));
  return parts.join('');
}

/** One byte per character, as Node's 'latin1' and 'binary'. */
export function latin1Decode(bytes: Uint8Array, start = 0, end = bytes.length): string {
  const parts: string[] = [];
  for (let i = start; i < end; i += 8192) {
    parts.push(String.fromCharCode.apply(null, Array.from(bytes.subarray(i, Math.min(end, i + 8192)))));
  }
  return parts.join('');
}

function isLow(c: number): boolean {
  return c >= 0xdc00 && c < 0xe000;
}

function cont(bytes: Uint8Array, i: number, end: number): boolean {
  return i < end && ((bytes[i] as number) & 0xc0) === 0x80;
}
