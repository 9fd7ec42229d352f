// Public entry of @virtlab/os-containers. Its content lands with the issue "os-containers (not filed yet)"; until then it exports nothing.
export {};
