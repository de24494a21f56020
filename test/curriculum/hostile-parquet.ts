/**
 * Builds, byte by byte, a tiny Parquet file whose one INT32 column holds a single dictionary value
 * repeated by one run-length-encoded run: a few hundred bytes that claim `rows` rows. Decoding it whole
 * allocates `rows` values; the footer tells so before anything is decoded.
 */
export function hostileParquet(rows: number, rowGroups = 1): Uint8Array {
  const out: number[] = [...ascii('PAR1')];
  const groups: number[][] = [];
  for (let g = 0; g < rowGroups; g++) {
    const dictOffset = out.length;
    const dictData = le32(7);
    out.push(
      ...struct([
        field(1, I32, zigzag(2)),
        field(2, I32, zigzag(4)),
        field(3, I32, zigzag(4)),
        field(7, STRUCT, struct([field(1, I32, zigzag(1)), field(2, I32, zigzag(0))])),
      ]),
    );
    out.push(...dictData);
    const dataOffset = out.length;
    // Bit width 1, then one RLE run: header (rows << 1), value 0 (the dictionary's only entry).
    const indices = [1, ...varint(rows * 2), 0];
    out.push(
      ...struct([
        field(1, I32, zigzag(0)),
        field(2, I32, zigzag(indices.length)),
        field(3, I32, zigzag(indices.length)),
        field(
          5,
          STRUCT,
          struct([
            field(1, I32, zigzag(rows)),
            field(2, I32, zigzag(8)),
            field(3, I32, zigzag(3)),
            field(4, I32, zigzag(3)),
          ]),
        ),
      ]),
    );
    out.push(...indices);
    const size = out.length - dictOffset;
    const meta = struct([
      field(1, I32, zigzag(1)),
      field(2, LIST, list(I32, [zigzag(0), zigzag(8)])),
      field(3, LIST, list(BINARY, [binary('x')])),
      field(4, I32, zigzag(0)),
      field(5, I64, zigzag(rows)),
      field(6, I64, zigzag(size)),
      field(7, I64, zigzag(size)),
      field(9, I64, zigzag(dataOffset)),
      field(11, I64, zigzag(dictOffset)),
    ]);
    const chunk = struct([field(2, I64, zigzag(dictOffset)), field(3, STRUCT, meta)]);
    groups.push(
      struct([
        field(1, LIST, list(STRUCT, [chunk])),
        field(2, I64, zigzag(size)),
        field(3, I64, zigzag(rows)),
      ]),
    );
  }
  const schema = list(STRUCT, [
    struct([field(4, BINARY, binary('schema')), field(5, I32, zigzag(1))]),
    struct([field(1, I32, zigzag(1)), field(3, I32, zigzag(0)), field(4, BINARY, binary('x'))]),
  ]);
  const footer = struct([
    field(1, I32, zigzag(1)),
    field(2, LIST, schema),
    field(3, I64, zigzag(rows * rowGroups)),
    field(4, LIST, list(STRUCT, groups)),
  ]);
  out.push(...footer, ...le32(footer.length), ...ascii('PAR1'));
  return Uint8Array.from(out);
}

// Thrift compact protocol, only what a Parquet footer needs.
const I32 = 5;
const I64 = 6;
const BINARY = 8;
const LIST = 9;
const STRUCT = 12;

type Field = { id: number; type: number; bytes: number[] };
const field = (id: number, type: number, bytes: number[]): Field => ({ id, type, bytes });

function struct(fields: Field[]): number[] {
  const out: number[] = [];
  let last = 0;
  for (const f of fields) {
    out.push(((f.id - last) << 4) | f.type, ...f.bytes);
    last = f.id;
  }
  out.push(0);
  return out;
}

function list(type: number, items: number[][]): number[] {
  return [(items.length << 4) | type, ...items.flat()];
}

function varint(n: number): number[] {
  const out: number[] = [];
  let v = n;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return out;
}

const zigzag = (n: number) => varint(n >= 0 ? n * 2 : -n * 2 - 1);
const binary = (s: string) => [...varint(s.length), ...ascii(s)];
const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));
const le32 = (n: number) => [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, (n >>> 24) & 0xff];
