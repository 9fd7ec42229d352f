// Public entry of @virtlab/vmm-para. Its content lands with the issue "vmm-para (not filed yet)"; until then it exports nothing.
export {};
