// Public entry of @virtlab/vmm-full. Its content lands with the issue "vmm-full (not filed yet)"; until then it exports nothing.
export {};
