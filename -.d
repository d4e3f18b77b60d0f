-: kernel/arch/x86_64/fastpath_asm.offsets kernel/core/cap.h \
 kernel/include/ipclab/abi.h kernel/arch/x86_64/include/ipclab/abi_arch.h \
 build/x86_64/sel4-faithful-asm/config.h kernel/core/endpoint.h \
 kernel/core/list.h kernel/core/kernel.h kernel/core/assert.h \
 kernel/include/ipclab/format.h kernel/core/tcb.h \
 kernel/core/reply_fields.h kernel/core/cap.h \
 kernel/arch/x86_64/include/arch/regs.h \
 kernel/arch/x86_64/include/arch/fpu.h kernel/core/fpu.h \
 kernel/core/reply.h kernel/core/reply_cap.h kernel/core/space.h \
 kernel/core/arch_api.h kernel/arch/x86_64/include/arch/space.h \
 kernel/arch/x86_64/include/arch/inline.h \
 kernel/arch/x86_64/include/arch/cpu.h \
 kernel/arch/x86_64/include/arch/regs_offsets.h kernel/core/tcb.h \
 kernel/core/cspace_tree.h
kernel/core/cap.h:
kernel/include/ipclab/abi.h:
kernel/arch/x86_64/include/ipclab/abi_arch.h:
build/x86_64/sel4-faithful-asm/config.h:
kernel/core/endpoint.h:
kernel/core/list.h:
kernel/core/kernel.h:
kernel/core/assert.h:
kernel/include/ipclab/format.h:
kernel/core/tcb.h:
kernel/core/reply_fields.h:
kernel/core/cap.h:
kernel/arch/x86_64/include/arch/regs.h:
kernel/arch/x86_64/include/arch/fpu.h:
kernel/core/fpu.h:
kernel/core/reply.h:
kernel/core/reply_cap.h:
kernel/core/space.h:
kernel/core/arch_api.h:
kernel/arch/x86_64/include/arch/space.h:
kernel/arch/x86_64/include/arch/inline.h:
kernel/arch/x86_64/include/arch/cpu.h:
kernel/arch/x86_64/include/arch/regs_offsets.h:
kernel/core/tcb.h:
kernel/core/cspace_tree.h:
