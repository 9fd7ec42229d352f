import { describePeerSuite } from './test-support/suite-check.js';

// About one billion RV32 instructions per workload: ~1 s each on QEMU, V8 and the host.
describePeerSuite('bench', 120_000);
