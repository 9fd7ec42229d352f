// SBI Base extension (SBI 2.0 chapter 4): versions, ids and probing. mvendorid, marchid and
// mimpid are those of the lab hart: 0 (not implemented, priv 3.1.2-3.1.4).
import { SBI_ERR_NOT_SUPPORTED, SBI_EXTENSIONS, SBI_IMPL_ID, SBI_IMPL_VERSION, SBI_SPEC_VERSION, fail, ok } from './sbi-abi.js';
import type { SbiCall, SbiReturn } from './sbi-abi.js';

export function sbiBase(call: SbiCall): SbiReturn {
  switch (call.fid) {
    case 0: return ok(SBI_SPEC_VERSION);
    case 1: return ok(SBI_IMPL_ID);
    case 2: return ok(SBI_IMPL_VERSION);
    case 3: return ok(SBI_EXTENSIONS.includes(call.args[0] >>> 0) ? 1 : 0);
    case 4: // mvendorid
    case 5: // marchid
    case 6: // mimpid
      return ok(0);
    default: return fail(SBI_ERR_NOT_SUPPORTED);
  }
}
