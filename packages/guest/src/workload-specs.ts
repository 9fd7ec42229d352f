/** The compute suite: one C file per workload in `workloads/<name>/<name>.c`. */
export interface WorkloadSpec {
  readonly name: string;
  /** One line: what the program computes and what it exercises. */
  readonly description: string;
}

export const WORKLOAD_SPECS: readonly WorkloadSpec[] = [
  { name: 'crc32', description: 'CRC-32 (IEEE) of generated data: byte loads, table lookups, shifts and xors' },
  { name: 'hashtable', description: 'hash table of generated words: malloc/free, string hashing and compares, chained lists' },
  { name: 'interp', description: 'bytecode stack-machine interpreter running Collatz and Fibonacci: dispatch, indirect branches' },
  { name: 'lz77', description: 'LZ77-style compress and decompress round trip: hash chains, byte copies, data-dependent branches' },
  { name: 'matmul', description: 'integer matrix multiply (uint32, wrap-around): mul, multiply-accumulate, strided loads' },
  { name: 'nqueens', description: 'N-queens solution counts by bitmask backtracking: recursion, branches, bit tricks' },
  { name: 'pointer-chase', description: 'pointer chasing over a one-cycle linked list and a search tree: dependent loads' },
  { name: 'sha256', description: 'SHA-256 (FIPS 180-4) over generated data: rotates, adds and logic on 32-bit words' },
  { name: 'sieve', description: 'sieve of Eratosthenes: strided byte stores and a linear scan, prime counts and sums' },
  { name: 'sort', description: 'quicksort and merge sort of a large integer array: compares, swaps, memory traffic' },
];
