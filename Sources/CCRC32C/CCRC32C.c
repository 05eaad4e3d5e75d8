// CRC-32C instructions, chosen at run time (see include/CCRC32C.h).
//
// Each hardware function is compiled for its instruction set alone through a `target`
// attribute, so the rest of the program keeps the baseline instruction set and this
// code is only reached once `ccrc32c_detect_engine` has found the instructions.
#include "CCRC32C.h"

#include <string.h>

int ccrc32c_detected_engine_ = -1;

static int store_engine(int engine) {
    __atomic_store_n(&ccrc32c_detected_engine_, engine, __ATOMIC_RELAXED);
    return engine;
}

#if defined(__x86_64__)

#include <nmmintrin.h>

int ccrc32c_detect_engine(void) {
    __builtin_cpu_init();
    return store_engine(__builtin_cpu_supports("sse4.2") ? CCRC32C_ENGINE_SSE42 : CCRC32C_ENGINE_NONE);
}

__attribute__((target("sse4.2")))
uint32_t ccrc32c_update_hardware(uint32_t reg, const uint8_t *bytes, size_t count) {
    // memcpy: unaligned loads without undefined behaviour (one `crc32` with a memory
    // operand each). Whole blocks of 64 bytes in a loop (longer input than any frame),
    // then the remaining 0-8 words straight-line, entered by their number (frames are at
    // most 62 bytes: no loop control at all for them), then 4, 2 and 1 bytes.
    uint64_t wide = reg;
    uint64_t word;
    for (; count > 64; count -= 64, bytes += 64) {
        for (int k = 0; k < 8; k++) {
            memcpy(&word, bytes + 8 * k, 8);
            wide = _mm_crc32_u64(wide, word);
        }
    }
    const uint8_t *tail = bytes + (count & ~(size_t)7);
    switch (count >> 3) {
    case 8: memcpy(&word, tail - 64, 8); wide = _mm_crc32_u64(wide, word); /* fall through */
    case 7: memcpy(&word, tail - 56, 8); wide = _mm_crc32_u64(wide, word); /* fall through */
    case 6: memcpy(&word, tail - 48, 8); wide = _mm_crc32_u64(wide, word); /* fall through */
    case 5: memcpy(&word, tail - 40, 8); wide = _mm_crc32_u64(wide, word); /* fall through */
    case 4: memcpy(&word, tail - 32, 8); wide = _mm_crc32_u64(wide, word); /* fall through */
    case 3: memcpy(&word, tail - 24, 8); wide = _mm_crc32_u64(wide, word); /* fall through */
    case 2: memcpy(&word, tail - 16, 8); wide = _mm_crc32_u64(wide, word); /* fall through */
    case 1: memcpy(&word, tail - 8, 8); wide = _mm_crc32_u64(wide, word); /* fall through */
    default: break;
    }
    bytes = tail;
    uint32_t crc = (uint32_t)wide;
    if (count & 4) {
        uint32_t half_word;
        memcpy(&half_word, bytes, 4);
        crc = _mm_crc32_u32(crc, half_word);
        bytes += 4;
    }
    if (count & 2) {
        uint16_t half;
        memcpy(&half, bytes, 2);
        crc = _mm_crc32_u16(crc, half);
        bytes += 2;
    }
    if (count & 1) {
        crc = _mm_crc32_u8(crc, *bytes);
    }
    return crc;
}

#elif defined(__aarch64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__

#include <arm_acle.h>
#if defined(__linux__)
#include <sys/auxv.h>
#ifndef HWCAP_CRC32
#define HWCAP_CRC32 (1 << 7)   // <asm/hwcap.h>, the same value on every AArch64 kernel
#endif
#endif

int ccrc32c_detect_engine(void) {
#if defined(__linux__)
    int present = (getauxval(AT_HWCAP) & HWCAP_CRC32) != 0;
#elif defined(__APPLE__)
    int present = 1;   // every Apple AArch64 CPU has the CRC32 extension (ARMv8.1+)
#else
    int present = 0;
#endif
    return store_engine(present ? CCRC32C_ENGINE_ARMV8_CRC32 : CCRC32C_ENGINE_NONE);
}

__attribute__((target("crc")))
uint32_t ccrc32c_update_hardware(uint32_t reg, const uint8_t *bytes, size_t count) {
    const uint8_t *words_end = bytes + (count & ~(size_t)7);
    uint32_t crc = reg;
#pragma clang loop unroll(disable)
    for (; bytes != words_end; bytes += 8) {
        uint64_t word;
        memcpy(&word, bytes, 8);
        crc = __crc32cd(crc, word);
    }
    if (count & 4) {
        uint32_t word;
        memcpy(&word, bytes, 4);
        crc = __crc32cw(crc, word);
        bytes += 4;
    }
    if (count & 2) {
        uint16_t half;
        memcpy(&half, bytes, 2);
        crc = __crc32ch(crc, half);
        bytes += 2;
    }
    if (count & 1) {
        crc = __crc32cb(crc, *bytes);
    }
    return crc;
}

#else

// (Big-endian AArch64 included: the word loads above assume little-endian.)
int ccrc32c_detect_engine(void) {
    return store_engine(CCRC32C_ENGINE_NONE);
}

// No CRC instructions known for this architecture: `ccrc32c_engine()` is always NONE,
// so callers never get here. Bitwise, so the symbol exists and is still correct.
uint32_t ccrc32c_update_hardware(uint32_t reg, const uint8_t *bytes, size_t count) {
    for (size_t i = 0; i < count; i++) {
        reg ^= bytes[i];
        for (int bit = 0; bit < 8; bit++) {
            reg = (reg & 1) ? (reg >> 1) ^ 0x82F63B78u : reg >> 1;
        }
    }
    return reg;
}

#endif
