#include "telemetry.h"

#include "board.h"

#define SYS_WRITE0 0x04

// Written out in pieces when full: a line buffer would cost the 16 KB part 320 bytes of
// RAM for a test-only feature.
static char line[48];
static unsigned used;

static void flush(void) {
    line[used] = 0;
    if (used) hal_semihost(SYS_WRITE0, line);
    used = 0;
}

static void put(char c) {
    if (used >= sizeof line - 1) flush();
    line[used++] = c;
}
static void put_text(const char *s) {
    while (*s) put(*s++);
}
static void put_decimal(uint64_t v) {
    char digits[21];
    int n = 0;
    do {
        // Division by 10 through the runtime's helper would cost ~2k instructions per
        // digit on armv6m; this runs only for telemetry, outside the budget window.
        uint64_t q = v / 10u;
        digits[n++] = (char)('0' + (v - q * 10u));
        v = q;
    } while (v);
    while (n) put(digits[--n]);
}

void telemetry_begin(const char *event, uint64_t now_us) {
    used = 0;
    put_text("fw t_us=");
    put_decimal(now_us);
    put_text(" event=");
    for (const char *s = event; *s; s++) put(*s == ' ' ? '_' : *s);
}

void telemetry_field(const char *key, uint64_t value) {
    put(' ');
    put_text(key);
    put('=');
    put_decimal(value);
}

void telemetry_end(void) {
    put('\n');
    flush();
}

void telemetry_event(const char *event, uint64_t now_us, const char *key, uint64_t value) {
    telemetry_begin(event, now_us);
    if (key) telemetry_field(key, value);
    telemetry_end();
}

void telemetry_boot(const char *board, uint64_t data, uint64_t bss, uint64_t stack) {
    telemetry_begin("boot", 0);
    put_text(" board=");
    put_text(board);
    telemetry_field("data", data);
    telemetry_field("bss", bss);
    telemetry_field("stack_size", stack);
    telemetry_end();
}
