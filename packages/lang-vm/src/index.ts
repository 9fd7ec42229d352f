// Public entry of @virtlab/lang-vm. Its content lands with the issue "lang-vm: a WebAssembly stack-bytecode virtual machine"; until then it exports nothing.
export {};
