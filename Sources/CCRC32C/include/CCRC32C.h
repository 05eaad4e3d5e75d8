// CRC-32C with the CPU's own instructions, for MassageWire on hosts.
//
// x86-64: SSE4.2 `crc32`; AArch64: the CRC32 extension's `crc32c*`. Which one this CPU
// has is detected once, at run time, so one binary runs everywhere: where neither is
// present, `ccrc32c_engine()` says so and MassageWire keeps its slicing-by-8 tables.
//
// The register convention is MassageWire's `CRC32C.register`: reflected polynomial
// 0x82F63B78, the register before the final XOR (start from 0xFFFFFFFF, XOR the result
// with 0xFFFFFFFF for the CRC). Microcontroller builds never see this module.
#ifndef CCRC32C_H
#define CCRC32C_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// The CRC-32C instructions `ccrc32c_update_hardware` uses on this CPU.
enum {
    /// None: the caller must compute the CRC in software.
    CCRC32C_ENGINE_NONE = 0,
    /// x86-64 SSE4.2 `crc32` (8 bytes per instruction).
    CCRC32C_ENGINE_SSE42 = 1,
    /// AArch64 CRC32 extension `crc32cx` (8 bytes per instruction).
    CCRC32C_ENGINE_ARMV8_CRC32 = 2,
};

/// The detected engine, or -1 before the first `ccrc32c_engine()`. Private to this
/// header's inline function; read `ccrc32c_engine()` instead.
extern int ccrc32c_detected_engine_;

/// Probes the CPU (cpuid on x86-64, the kernel's hardware capabilities on AArch64),
/// stores the answer for `ccrc32c_engine()` and returns it. Safe to call from any
/// thread, any number of times: every call stores the same value.
int ccrc32c_detect_engine(void);

/// One of the `CCRC32C_ENGINE_*` values: which instructions this CPU has. After the
/// first call, one load and one test.
static inline int ccrc32c_engine(void) {
    int engine = __atomic_load_n(&ccrc32c_detected_engine_, __ATOMIC_RELAXED);
    return engine >= 0 ? engine : ccrc32c_detect_engine();
}

/// Feeds `bytes[0 ..< count]` to the CRC-32C register `reg` (before the final XOR) and
/// returns the new register. Only when `ccrc32c_engine() != CCRC32C_ENGINE_NONE`: on a
/// CPU without the instructions this would fault (illegal instruction).
uint32_t ccrc32c_update_hardware(uint32_t reg, const uint8_t *bytes, size_t count);

#ifdef __cplusplus
}
#endif

#endif
