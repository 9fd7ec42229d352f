import wabtInit from 'wabt';

type Wabt = Awaited<ReturnType<typeof wabtInit>>;
let wabt: Promise<Wabt> | undefined;

/**
 * Assembles WebAssembly text with wabt (all 2.0 features and 3.0 tail calls) into a binary module. With
 * `validate: false` it emits invalid modules too, for the validator's tests.
 */
export async function wat(text: string, { validate = true } = {}): Promise<Uint8Array> {
  wabt ??= wabtInit();
  const w = await wabt;
  const features = { multi_value: true, bulk_memory: true, reference_types: true, sign_extension: true, sat_float_to_int: true, mutable_globals: true, tail_call: true };
  const m = w.parseWat('test.wat', text, features);
  try {
    m.resolveNames();
    if (validate) m.validate();
    return new Uint8Array(m.toBinary({ write_debug_names: true }).buffer);
  } finally {
    m.destroy();
  }
}
