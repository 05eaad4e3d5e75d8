// The C runtime the firmware image needs and the Swift toolchain does not ship for bare
// metal: memory functions, the compiler's integer helpers (ARM EABI and libgcc names),
// the stack protector, and 32-bit atomics for armv6m (no LDREX/STREX) as PRIMASK
// critical sections. Written here so that the image links with the toolchain's clang
// and ld.lld alone: no libgcc, no newlib, no gcc-arm-none-eabi.
//
// Compiled with -ffreestanding -fno-builtin so that clang does not turn these loops back
// into calls to themselves.
#include <stddef.h>
#include <stdint.h>

#include "board.h"

// MARK: - Memory

void *memcpy(void *restrict dst, const void *restrict src, size_t n) {
    uint8_t *d = dst;
    const uint8_t *s = src;
    // The core copies its values (frames of 64-77 bytes, inline arrays of 32-228) many
    // times a tick: word copies, four at a time, when source and destination share an
    // alignment; a byte loop costs a Cortex-M0 about 4x the cycles.
    if ((((uintptr_t)d ^ (uintptr_t)s) & 3) == 0) {
        while (((uintptr_t)d & 3) && n) {
            *d++ = *s++;
            n--;
        }
        uint32_t *dw = (uint32_t *)(void *)d;
        const uint32_t *sw = (const uint32_t *)(const void *)s;
        while (n >= 16) {
            uint32_t a = sw[0], b = sw[1], c = sw[2], e = sw[3];
            dw[0] = a;
            dw[1] = b;
            dw[2] = c;
            dw[3] = e;
            dw += 4;
            sw += 4;
            n -= 16;
        }
        while (n >= 4) {
            *dw++ = *sw++;
            n -= 4;
        }
        d = (uint8_t *)dw;
        s = (const uint8_t *)sw;
    }
    while (n--) *d++ = *s++;
    return dst;
}

void *memmove(void *dst, const void *src, size_t n) {
    uint8_t *d = dst;
    const uint8_t *s = src;
    if (d == s || n == 0) return dst;
    if (d < s || d >= s + n) return memcpy(dst, src, n);
    while (n--) d[n] = s[n];
    return dst;
}

void *memset(void *dst, int value, size_t n) {
    uint8_t *d = dst;
    uint8_t byte = (uint8_t)value;
    while (((uintptr_t)d & 3) && n) {
        *d++ = byte;
        n--;
    }
    uint32_t word = byte * 0x01010101u;
    uint32_t *dw = (uint32_t *)(void *)d;
    while (n >= 16) {
        dw[0] = word;
        dw[1] = word;
        dw[2] = word;
        dw[3] = word;
        dw += 4;
        n -= 16;
    }
    while (n >= 4) {
        *dw++ = word;
        n -= 4;
    }
    d = (uint8_t *)dw;
    while (n--) *d++ = byte;
    return dst;
}

int memcmp(const void *a, const void *b, size_t n) {
    const uint8_t *x = a, *y = b;
    for (size_t i = 0; i < n; i++) {
        if (x[i] != y[i]) return x[i] < y[i] ? -1 : 1;
    }
    return 0;
}

size_t strlen(const char *s) {
    size_t n = 0;
    while (s[n]) n++;
    return n;
}

// No heap: the core allocates nothing (scripts/embedded-check proves it in the SIL).
// Embedded Swift's runtime still names these; if one is ever called, that is a bug
// worth stopping for.
int posix_memalign(void **out, size_t alignment, size_t size) {
    (void)alignment;
    (void)size;
    *out = 0;
    board_panic("posix_memalign: the firmware must not allocate");
    return 12;
}

void free(void *p) {
    if (p) board_panic("free: the firmware must not allocate");
}

// MARK: - Stack protector

// The guard is a fixed pattern rather than a random one: no entropy source is needed at
// boot, and what it catches here is overflow by bugs, not attackers.
uintptr_t __stack_chk_guard = (uintptr_t)0x5a17c0deu;

void __stack_chk_fail(void) { board_panic("stack smashing detected"); }

#if defined(__arm__)
// MARK: - ARM EABI helpers (armv6m has no divide instruction; armv7em lacks 64-bit divide)

void __aeabi_memcpy(void *d, const void *s, size_t n) { memcpy(d, s, n); }
void __aeabi_memcpy4(void *d, const void *s, size_t n) { memcpy(d, s, n); }
void __aeabi_memcpy8(void *d, const void *s, size_t n) { memcpy(d, s, n); }
void __aeabi_memmove(void *d, const void *s, size_t n) { memmove(d, s, n); }
void __aeabi_memmove4(void *d, const void *s, size_t n) { memmove(d, s, n); }
void __aeabi_memmove8(void *d, const void *s, size_t n) { memmove(d, s, n); }
void __aeabi_memset(void *d, size_t n, int v) { memset(d, v, n); }
void __aeabi_memset4(void *d, size_t n, int v) { memset(d, v, n); }
void __aeabi_memset8(void *d, size_t n, int v) { memset(d, v, n); }
void __aeabi_memclr(void *d, size_t n) { memset(d, 0, n); }
void __aeabi_memclr4(void *d, size_t n) { memset(d, 0, n); }
void __aeabi_memclr8(void *d, size_t n) { memset(d, 0, n); }
#endif

// Division for cores without a divider (armv6m has none; armv7em and rv32imac have
// 32-bit ones but no 64-bit one). The core divides µs by 1000 several times per tick, so
// these must be quick: shift-and-subtract over the quotient's bits only (after
// normalising the divisor), and 64-bit dividends by a 16-bit divisor (1000, 100, 10)
// as four 16-bit digits.
static int clz32(uint32_t x) {
    // armv6m has no CLZ instruction; a binary search is 5 steps.
    int n = 0;
    if (x == 0) return 32;
    if ((x >> 16) == 0) { n += 16; x <<= 16; }
    if ((x >> 24) == 0) { n += 8; x <<= 8; }
    if ((x >> 28) == 0) { n += 4; x <<= 4; }
    if ((x >> 30) == 0) { n += 2; x <<= 2; }
    if ((x >> 31) == 0) { n += 1; }
    return n;
}

static uint32_t udiv32(uint32_t n, uint32_t d, uint32_t *rem) {
    if (d == 0) board_panic("division by zero");
    if (n < d) {
        if (rem) *rem = n;
        return 0;
    }
    int shift = clz32(d) - clz32(n);
    uint32_t q = 0;
    d <<= shift;
    for (int i = 0; i <= shift; i++) {
        q <<= 1;
        if (n >= d) {
            n -= d;
            q |= 1;
        }
        d >>= 1;
    }
    if (rem) *rem = n;
    return q;
}

static uint64_t udiv64(uint64_t n, uint64_t d, uint64_t *rem) {
    if (d == 0) board_panic("division by zero");
    uint32_t n_hi = (uint32_t)(n >> 32), n_lo = (uint32_t)n;
    uint32_t d_hi = (uint32_t)(d >> 32), d_lo = (uint32_t)d;
    if (n_hi == 0 && d_hi == 0) {
        uint32_t r32;
        uint32_t q32 = udiv32(n_lo, d_lo, &r32);
        if (rem) *rem = r32;
        return q32;
    }
    if (d_hi == 0 && (d_lo >> 16) == 0) {
        // Four base-65536 digits: each partial dividend is below d << 16, so fits 32 bits.
        uint32_t r = 0, q3, q2, q1, q0;
        q3 = udiv32(n_hi >> 16, d_lo, &r);
        q2 = udiv32((r << 16) | (n_hi & 0xffffu), d_lo, &r);
        q1 = udiv32((r << 16) | (n_lo >> 16), d_lo, &r);
        q0 = udiv32((r << 16) | (n_lo & 0xffffu), d_lo, &r);
        if (rem) *rem = r;
        return ((uint64_t)((q3 << 16) | q2) << 32) | ((q1 << 16) | q0);
    }
    if (n < d) {
        if (rem) *rem = n;
        return 0;
    }
    // The general case (a divisor of 17 bits or more): over the quotient's bits only.
    int lead_n = n_hi ? clz32(n_hi) : 32 + clz32(n_lo);
    int lead_d = d_hi ? clz32(d_hi) : 32 + clz32(d_lo);
    int shift = lead_d - lead_n;
    uint64_t q = 0;
    d <<= shift;
    for (int i = 0; i <= shift; i++) {
        q <<= 1;
        if (n >= d) {
            n -= d;
            q |= 1;
        }
        d >>= 1;
    }
    if (rem) *rem = n;
    return q;
}

uint64_t __udivdi3(uint64_t n, uint64_t d) { return udiv64(n, d, 0); }
uint64_t __umoddi3(uint64_t n, uint64_t d) {
    uint64_t r;
    udiv64(n, d, &r);
    return r;
}
int64_t __divdi3(int64_t n, int64_t d) {
    uint64_t un = n < 0 ? -(uint64_t)n : (uint64_t)n;
    uint64_t ud = d < 0 ? -(uint64_t)d : (uint64_t)d;
    uint64_t q = udiv64(un, ud, 0);
    return (n < 0) != (d < 0) ? -(int64_t)q : (int64_t)q;
}
int64_t __moddi3(int64_t n, int64_t d) {
    uint64_t un = n < 0 ? -(uint64_t)n : (uint64_t)n;
    uint64_t ud = d < 0 ? -(uint64_t)d : (uint64_t)d;
    uint64_t r;
    udiv64(un, ud, &r);
    return n < 0 ? -(int64_t)r : (int64_t)r;
}
uint32_t __udivsi3(uint32_t n, uint32_t d) { return udiv32(n, d, 0); }
uint32_t __umodsi3(uint32_t n, uint32_t d) {
    uint32_t r;
    udiv32(n, d, &r);
    return r;
}
int32_t __divsi3(int32_t n, int32_t d) {
    uint32_t un = n < 0 ? -(uint32_t)n : (uint32_t)n;
    uint32_t ud = d < 0 ? -(uint32_t)d : (uint32_t)d;
    uint32_t q = udiv32(un, ud, 0);
    return (n < 0) != (d < 0) ? -(int32_t)q : (int32_t)q;
}
int32_t __modsi3(int32_t n, int32_t d) {
    uint32_t un = n < 0 ? -(uint32_t)n : (uint32_t)n;
    uint32_t ud = d < 0 ? -(uint32_t)d : (uint32_t)d;
    uint32_t r;
    udiv32(un, ud, &r);
    return n < 0 ? -(int32_t)r : (int32_t)r;
}

// 64-bit shifts on 32-bit registers (armv6m and rv32 have no 64-bit shift).
static uint64_t shift_left64(uint64_t v, int n) {
    uint32_t lo = (uint32_t)v, hi = (uint32_t)(v >> 32);
    if (n >= 64) return 0;
    if (n >= 32) return (uint64_t)(lo << (n - 32)) << 32;
    if (n == 0) return v;
    hi = (hi << n) | (lo >> (32 - n));
    lo <<= n;
    return ((uint64_t)hi << 32) | lo;
}

static uint64_t shift_right64(uint64_t v, int n) {
    uint32_t lo = (uint32_t)v, hi = (uint32_t)(v >> 32);
    if (n >= 64) return 0;
    if (n >= 32) return hi >> (n - 32);
    if (n == 0) return v;
    lo = (lo >> n) | (hi << (32 - n));
    hi >>= n;
    return ((uint64_t)hi << 32) | lo;
}

static int64_t shift_arith64(int64_t v, int n) {
    uint32_t lo = (uint32_t)v;
    int32_t hi = (int32_t)(v >> 32);
    if (n >= 64) n = 63;
    if (n >= 32) return (int64_t)(hi >> (n - 32));
    if (n == 0) return v;
    lo = (lo >> n) | ((uint32_t)hi << (32 - n));
    hi >>= n;
    return (int64_t)(((uint64_t)(uint32_t)hi << 32) | lo);
}

uint64_t __ashldi3(uint64_t v, int n) { return shift_left64(v, n); }
uint64_t __lshrdi3(uint64_t v, int n) { return shift_right64(v, n); }
int64_t __ashrdi3(int64_t v, int n) { return shift_arith64(v, n); }

#if defined(__arm__)
uint32_t __aeabi_uidiv(uint32_t n, uint32_t d) { return udiv32(n, d, 0); }
int32_t __aeabi_idiv(int32_t n, int32_t d) { return __divsi3(n, d); }

// __aeabi_uidivmod and __aeabi_idivmod return {quotient, remainder} in r0, r1: the
// AAPCS returns a 64-bit integer in exactly those registers.
uint64_t __aeabi_uidivmod(uint32_t n, uint32_t d) {
    uint32_t r;
    uint32_t q = udiv32(n, d, &r);
    return (uint64_t)q | ((uint64_t)r << 32);
}
uint64_t __aeabi_idivmod(int32_t n, int32_t d) {
    int32_t q = __divsi3(n, d);
    int32_t r = n - q * d;
    return (uint64_t)(uint32_t)q | ((uint64_t)(uint32_t)r << 32);
}

// __aeabi_uldivmod and __aeabi_ldivmod return the quotient in r0:r1 and the remainder
// in r2:r3, which C cannot express: a C helper writes the remainder to the stack and a
// few instructions load it into r2:r3.
uint64_t board_uldivmod_helper(uint64_t n, uint64_t d, uint64_t *rem) { return udiv64(n, d, rem); }
int64_t board_ldivmod_helper(int64_t n, int64_t d, int64_t *rem) {
    int64_t q = __divdi3(n, d);
    *rem = n - q * d;
    return q;
}

__attribute__((naked)) void __aeabi_uldivmod(void) {
    __asm__ volatile(
        "push {r4, lr}\n"
        "sub sp, sp, #16\n"
        "add r4, sp, #8\n"
        "str r4, [sp]\n"
        "bl board_uldivmod_helper\n"
        "ldr r2, [sp, #8]\n"
        "ldr r3, [sp, #12]\n"
        "add sp, sp, #16\n"
        "pop {r4, pc}\n");
}

__attribute__((naked)) void __aeabi_ldivmod(void) {
    __asm__ volatile(
        "push {r4, lr}\n"
        "sub sp, sp, #16\n"
        "add r4, sp, #8\n"
        "str r4, [sp]\n"
        "bl board_ldivmod_helper\n"
        "ldr r2, [sp, #8]\n"
        "ldr r3, [sp, #12]\n"
        "add sp, sp, #16\n"
        "pop {r4, pc}\n");
}

uint64_t __aeabi_lmul(uint64_t a, uint64_t b) {
    uint32_t al = (uint32_t)a, ah = (uint32_t)(a >> 32);
    uint32_t bl = (uint32_t)b, bh = (uint32_t)(b >> 32);
    // 32x32 -> 64 from 16-bit halves: armv6m's MULS gives only the low 32 bits.
    uint32_t a0 = al & 0xffff, a1 = al >> 16, b0 = bl & 0xffff, b1 = bl >> 16;
    uint32_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
    uint32_t middle = (p00 >> 16) + (p01 & 0xffff) + (p10 & 0xffff);
    uint32_t low = (p00 & 0xffff) | (middle << 16);
    uint32_t high = p11 + (p01 >> 16) + (p10 >> 16) + (middle >> 16);
    high += al * bh + ah * bl;
    return ((uint64_t)high << 32) | low;
}

uint64_t __aeabi_llsl(uint64_t v, int n) { return shift_left64(v, n); }
uint64_t __aeabi_llsr(uint64_t v, int n) { return shift_right64(v, n); }
int64_t __aeabi_lasr(int64_t v, int n) { return shift_arith64(v, n); }
#endif

#if defined(__riscv) && !defined(__riscv_mul)
// RV32 without the M extension: clang calls these for * on 32 and 64 bits.
uint32_t __mulsi3(uint32_t a, uint32_t b) {
    uint32_t r = 0;
    while (b) {
        if (b & 1) r += a;
        a <<= 1;
        b >>= 1;
    }
    return r;
}
#endif

#if defined(__riscv)
uint64_t __muldi3(uint64_t a, uint64_t b) {
    uint32_t al = (uint32_t)a, ah = (uint32_t)(a >> 32);
    uint32_t bl = (uint32_t)b, bh = (uint32_t)(b >> 32);
    uint32_t a0 = al & 0xffff, a1 = al >> 16, b0 = bl & 0xffff, b1 = bl >> 16;
    uint32_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
    uint32_t middle = (p00 >> 16) + (p01 & 0xffff) + (p10 & 0xffff);
    uint32_t low = (p00 & 0xffff) | (middle << 16);
    uint32_t high = p11 + (p01 >> 16) + (p10 >> 16) + (middle >> 16);
    high += al * bh + ah * bl;
    return ((uint64_t)high << 32) | low;
}
#endif

// MARK: - Atomics for cores without LDREX/STREX (armv6m)

#if defined(__ARM_ARCH_6M__)
// One core and no DMA touching these words: masking interrupts makes a read-modify-write
// indivisible. PRIMASK is saved and restored, so these nest inside a critical section.
static inline uint32_t critical_enter(void) {
    uint32_t primask;
    __asm__ volatile("mrs %0, primask\n cpsid i" : "=r"(primask)::"memory");
    return primask;
}
static inline void critical_exit(uint32_t primask) {
    __asm__ volatile("msr primask, %0" ::"r"(primask) : "memory");
}

uint32_t __atomic_load_4(const volatile void *p, int order) {
    (void)order;
    uint32_t s = critical_enter();
    uint32_t v = *(const volatile uint32_t *)p;
    critical_exit(s);
    return v;
}
void __atomic_store_4(volatile void *p, uint32_t v, int order) {
    (void)order;
    uint32_t s = critical_enter();
    *(volatile uint32_t *)p = v;
    critical_exit(s);
}
uint32_t __atomic_exchange_4(volatile void *p, uint32_t v, int order) {
    (void)order;
    uint32_t s = critical_enter();
    uint32_t old = *(volatile uint32_t *)p;
    *(volatile uint32_t *)p = v;
    critical_exit(s);
    return old;
}
uint32_t __atomic_fetch_add_4(volatile void *p, uint32_t v, int order) {
    (void)order;
    uint32_t s = critical_enter();
    uint32_t old = *(volatile uint32_t *)p;
    *(volatile uint32_t *)p = old + v;
    critical_exit(s);
    return old;
}
uint32_t __atomic_fetch_sub_4(volatile void *p, uint32_t v, int order) {
    (void)order;
    uint32_t s = critical_enter();
    uint32_t old = *(volatile uint32_t *)p;
    *(volatile uint32_t *)p = old - v;
    critical_exit(s);
    return old;
}
_Bool __atomic_compare_exchange_4(volatile void *p, void *expected, uint32_t desired, _Bool weak, int success,
                                  int failure) {
    (void)weak;
    (void)success;
    (void)failure;
    uint32_t s = critical_enter();
    uint32_t current = *(volatile uint32_t *)p;
    _Bool ok = current == *(uint32_t *)expected;
    if (ok) {
        *(volatile uint32_t *)p = desired;
    } else {
        *(uint32_t *)expected = current;
    }
    critical_exit(s);
    return ok;
}
#endif
