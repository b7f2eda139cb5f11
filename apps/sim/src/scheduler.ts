/**
 * The simulation's clock: a min-heap of (time, phone) events behind one timer, so 80,000 sleeping
 * phones cost 80,000 small heap entries rather than 80,000 timers or suspended async functions.
 * Each phone has at most one event in the heap; `schedule` replaces it (the old entry is skipped
 * when it comes up).
 */
export interface Scheduled<T> {
  at: number;
  item: T;
  generation: number;
}

export class EventHeap<T> {
  private readonly heap: Scheduled<T>[] = [];

  get size(): number {
    return this.heap.length;
  }

  push(entry: Scheduled<T>): void {
    const heap = this.heap;
    heap.push(entry);
    let child = heap.length - 1;
    while (child > 0) {
      const parent = (child - 1) >> 1;
      if (heap[parent].at <= heap[child].at) break;
      [heap[parent], heap[child]] = [heap[child], heap[parent]];
      child = parent;
    }
  }

  peek(): Scheduled<T> | undefined {
    return this.heap[0];
  }

  pop(): Scheduled<T> | undefined {
    const heap = this.heap;
    if (heap.length === 0) return undefined;
    const top = heap[0];
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      let parent = 0;
      for (;;) {
        const left = parent * 2 + 1;
        const right = left + 1;
        let smallest = parent;
        if (left < heap.length && heap[left].at < heap[smallest].at) smallest = left;
        if (right < heap.length && heap[right].at < heap[smallest].at) smallest = right;
        if (smallest === parent) break;
        [heap[parent], heap[smallest]] = [heap[smallest], heap[parent]];
        parent = smallest;
      }
    }
    return top;
  }
}

/** Boot times of `count` phones spread evenly at random over `withinMs` (a storm), sorted. */
export function bootTimes(count: number, withinMs: number, random: () => number): number[] {
  const times = Array.from({ length: count }, () => random() * withinMs);
  return times.sort((a, b) => a - b);
}
