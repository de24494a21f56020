// Linked into the Lambda build of isolated-vm (scripts/lambda/isolated-vm-source.ts). With libstdc++ and
// libgcc linked statically, two of their archives, built against this machine's newer glibc, ask for
// functions Amazon Linux 2023 (glibc 2.34) does not have:
//   - libstdc++.a(random.o), std::random_device: arc4random (GLIBC_2.36);
//   - libgcc_eh.a(unwind-dw2-fde-dip.o), the C++ exception unwinder: _dl_find_object (GLIBC_2.35), which
//     it calls to find the unwind tables of the code at a program counter, with no fallback when it fails.
// Both are defined here, hidden, from calls glibc 2.34 has (getrandom 2.25, dl_iterate_phdr 2.2.5), so the
// linker binds those references to these definitions and the binary needs neither version.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <link.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#define HIDDEN __attribute__((visibility("hidden")))

HIDDEN uint32_t arc4random(void) {
  uint32_t value;
  size_t got = 0;
  while (got < sizeof value) {
    ssize_t n = getrandom((char *)&value + got, sizeof value - got, 0);
    if (n > 0) got += (size_t)n;
    else if (n < 0 && errno != EINTR) abort();  // as glibc's arc4random: no weak randomness, ever
  }
  return value;
}

struct find_request {
  uintptr_t pc;
  struct dl_find_object *result;
};

// The loaded object whose PT_LOAD segments hold the pc: its address range and its PT_GNU_EH_FRAME segment
// (the .eh_frame_hdr), which is what glibc's _dl_find_object reports in dlfo_eh_frame.
static int find_in_object(struct dl_phdr_info *info, size_t size, void *data) {
  (void)size;
  struct find_request *request = data;
  uintptr_t start = UINTPTR_MAX, end = 0;
  const ElfW(Phdr) *eh_frame = NULL;
  int holds_pc = 0;
  for (ElfW(Half) i = 0; i < info->dlpi_phnum; i++) {
    const ElfW(Phdr) *phdr = &info->dlpi_phdr[i];
    uintptr_t from = info->dlpi_addr + phdr->p_vaddr;
    if (phdr->p_type == PT_LOAD) {
      uintptr_t to = from + phdr->p_memsz;
      if (request->pc >= from && request->pc < to) holds_pc = 1;
      if (from < start) start = from;
      if (to > end) end = to;
    } else if (phdr->p_type == PT_GNU_EH_FRAME) {
      eh_frame = phdr;
    }
  }
  if (!holds_pc) return 0;
  memset(request->result, 0, sizeof *request->result);
  request->result->dlfo_map_start = (void *)start;
  request->result->dlfo_map_end = (void *)end;
  request->result->dlfo_eh_frame = eh_frame ? (void *)(info->dlpi_addr + eh_frame->p_vaddr) : NULL;
  return 1;
}

HIDDEN int _dl_find_object(void *pc, struct dl_find_object *result) {
  struct find_request request = {(uintptr_t)pc, result};
  return dl_iterate_phdr(find_in_object, &request) == 1 ? 0 : -1;
}
