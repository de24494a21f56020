/**
 * Dataset files (JSONL and Parquet, verl's row schema) read and written as streams, from local paths,
 * storage keys, s3:// URLs and (reading) http(s) URLs.
 */
export { type ColumnSpec, type ColumnType, inferColumns, parquetSchema } from './columns.ts';
export { DatasetError, type RecordPlace } from './errors.ts';
export { type DatasetFormat, type DatasetLocation, formatOf, resolveLocation } from './location.ts';
export {
  checkParquetLimits,
  DEFAULT_PARQUET_LIMITS,
  ParquetLimitError,
  type ParquetLimits,
  parquetLimits,
} from './parquet-limits.ts';
export { type DatasetRecord, type ReadOptions, type RecordReader, readBatches, readRecords } from './read.ts';
export {
  ChatMessage,
  parseVerlRow,
  toVerlParquetRow,
  VerlDatasetRow,
  verlColumns,
  verlColumnsFor,
} from './verl-row.ts';
export { type WriteOptions, type WrittenFile, writeRecords } from './write.ts';
