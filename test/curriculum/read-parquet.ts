import { parquetReadObjects, toJson } from 'hyparquet';

/** Every row of a Parquet file's bytes as plain JSON values, read with hyparquet directly. */
export async function readParquetBytes(bytes: Uint8Array): Promise<Record<string, unknown>[]> {
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const rows = await parquetReadObjects({ file });
  return rows.map((row) => toJson(row) as Record<string, unknown>);
}
