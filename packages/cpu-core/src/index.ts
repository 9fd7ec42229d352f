// Public entry of @virtlab/cpu-core. Its content lands with the issue "The lab machine: hw-model and cpu-core"; until then it exports nothing.
export {};
