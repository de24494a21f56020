// What a 64-bit little-endian ELF file (x86_64 and aarch64 Linux: the Lambda architectures) asks of the
// dynamic loader: the shared libraries it names (DT_NEEDED in .dynamic) and the symbol versions it needs
// from each (.gnu.version_r). Read from the section headers; no binutils needed.

export interface ElfNeeds {
  /** e_machine: 62 x86_64, 183 aarch64. */
  machine: number;
  /** DT_NEEDED, in order. */
  needed: string[];
  /** Per library named in .gnu.version_r, the version names it must define (e.g. GLIBC_2.34). */
  versions: { file: string; names: string[] }[];
}

export const EM_X86_64 = 62;
export const EM_AARCH64 = 183;

const SHT_DYNAMIC = 6;
const SHT_GNU_VERNEED = 0x6ffffffe;
const DT_NULL = 0n;
const DT_NEEDED = 1n;
const PT_DYNAMIC = 2;

export function isElf(data: Uint8Array): boolean {
  return data.length >= 4 && data[0] === 0x7f && data[1] === 0x45 && data[2] === 0x4c && data[3] === 0x46;
}

interface Section {
  type: number;
  offset: number;
  size: number;
  link: number;
  info: number;
}

export function readElfNeeds(data: Uint8Array): ElfNeeds {
  if (!isElf(data)) throw new Error('not an ELF file');
  if (data[4] !== 2 || data[5] !== 1) throw new Error('not a 64-bit little-endian ELF file');
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const at = (offset: number, bytes: number) => {
    if (offset < 0 || offset + bytes > data.length) throw new Error(`ELF file truncated at ${offset}`);
    return offset;
  };
  const u16 = (o: number) => view.getUint16(at(o, 2), true);
  const u32 = (o: number) => view.getUint32(at(o, 4), true);
  const u64 = (o: number) => view.getBigUint64(at(o, 8), true);
  const offset64 = (o: number) => Number(u64(o));

  const machine = u16(0x12);
  const sectionsAt = offset64(0x28);
  const sectionSize = u16(0x3a);
  const sectionCount = u16(0x3c);
  const sections: Section[] = [];
  for (let i = 0; i < sectionCount; i++) {
    const h = sectionsAt + i * sectionSize;
    sections.push({
      type: u32(h + 4),
      offset: offset64(h + 24),
      size: offset64(h + 32),
      link: u32(h + 40),
      info: u32(h + 44),
    });
  }
  if (sections.length === 0 && hasDynamicSegment(data, u16, u32, offset64)) {
    // Without section headers the tables could only be found through the dynamic segment's addresses;
    // no file we ship is like that, so say so rather than report it as needing nothing.
    throw new Error('dynamically linked ELF file without section headers');
  }
  const stringAt = (table: Section | undefined, offset: number) => {
    if (!table || offset >= table.size) throw new Error('ELF string offset outside its table');
    const start = at(table.offset + offset, 1);
    const end = data.indexOf(0, start);
    if (end < 0 || end >= table.offset + table.size) throw new Error('unterminated ELF string');
    return Buffer.from(data.subarray(start, end)).toString('latin1');
  };

  const needed: string[] = [];
  for (const dynamic of sections.filter((s) => s.type === SHT_DYNAMIC)) {
    const strings = sections[dynamic.link];
    for (let e = dynamic.offset; e + 16 <= dynamic.offset + dynamic.size; e += 16) {
      const tag = u64(e);
      if (tag === DT_NULL) break;
      if (tag === DT_NEEDED) needed.push(stringAt(strings, offset64(e + 8)));
    }
  }

  const versions: ElfNeeds['versions'] = [];
  for (const verneed of sections.filter((s) => s.type === SHT_GNU_VERNEED)) {
    const strings = sections[verneed.link];
    let entry = verneed.offset;
    // sh_info: the number of Verneed entries; each lists vn_cnt Vernaux entries (one per version).
    for (let i = 0; i < verneed.info; i++) {
      const count = u16(entry + 2);
      const names: string[] = [];
      let aux = entry + u32(entry + 8);
      for (let j = 0; j < count; j++) {
        names.push(stringAt(strings, u32(aux + 8)));
        const next = u32(aux + 12);
        if (next === 0) break;
        aux += next;
      }
      versions.push({ file: stringAt(strings, u32(entry + 4)), names });
      const next = u32(entry + 12);
      if (next === 0) break;
      entry += next;
    }
  }
  return { machine, needed, versions };
}

function hasDynamicSegment(
  data: Uint8Array,
  u16: (o: number) => number,
  u32: (o: number) => number,
  offset64: (o: number) => number,
): boolean {
  const programAt = offset64(0x20);
  const programSize = u16(0x36);
  const programCount = u16(0x38);
  for (let i = 0; i < programCount; i++) {
    const h = programAt + i * programSize;
    if (h + 4 <= data.length && u32(h) === PT_DYNAMIC) return true;
  }
  return false;
}
