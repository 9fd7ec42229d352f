// Public entry of @virtlab/guest. Its content lands with the issue "Guest software: toolchain, firmware, libc and the workload suite"; until then it exports nothing.
export {};
