// Public entry of @virtlab/emulator. Its content lands with the issue "emulator: full-system emulation with a dynamic binary translator"; until then it exports nothing.
export {};
