/* riscv32 virt: qemu -kernel loads the ELF at 0x80000000 and jumps there in M-mode. */
    .section .text.start, "ax"
    .globl _start
_start:
    .option push
    .option norelax
    la sp, __stack_top
    .option pop
    la t0, trap_entry
    csrw mtvec, t0          /* direct mode: every trap to trap_entry */
    la t0, __data_start
    la t1, __data_end
    la t2, __data_load
4:  bgeu t0, t1, 5f
    lw t3, 0(t2)
    sw t3, 0(t0)
    addi t0, t0, 4
    addi t2, t2, 4
    j 4b
5:  la t0, __bss_start
    la t1, __bss_end
1:  bgeu t0, t1, 2f
    sw zero, 0(t0)
    addi t0, t0, 4
    j 1b
2:  call board_start
3:  wfi
    j 3b

/* Semihosting: qemu recognises ebreak between these two no-op shifts, uncompressed. */
    .section .text.semihost, "ax"
    .globl hal_semihost
    .balign 16
hal_semihost:
    .option push
    .option norvc
    slli zero, zero, 0x1f
    ebreak
    srai zero, zero, 7
    .option pop
    ret
