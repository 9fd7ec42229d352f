// Public entry of @virtlab/hw-model. Its content lands with the issue "The lab machine: hw-model and cpu-core"; until then it exports nothing.
export {};
