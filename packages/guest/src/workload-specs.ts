/** The compute suite: one C file per workload in `workloads/<name>/<name>.c`. */
export interface WorkloadSpec {
  readonly name: string;
  /** One line: what the program computes and what it exercises. */
  readonly description: string;
}

export const WORKLOAD_SPECS: readonly WorkloadSpec[] = [
  {
    name: 'crc32',
    description: 'CRC-32 (IEEE) of generated data: byte loads, table lookups, shifts and xors',
  },
];
