/**
 * The first `limit` items of a stream in a given order, kept in a max-heap of `limit` entries:
 * choosing the first rows among 10,000 sockets costs O(n log k) instead of sorting them all, and
 * an item that cannot enter the selection costs one comparison and no allocation.
 */
export class BoundedSelection<T> {
	private readonly heap: T[] = [];

	constructor(
		private readonly limit: number,
		/** Ascending order: the selection keeps the smallest items. */
		private readonly compare: (a: T, b: T) => number
	) {}

	offer(item: T): void {
		const heap = this.heap;
		if (heap.length < this.limit) {
			heap.push(item);
			this.up(heap.length - 1);
		} else if (this.limit > 0 && this.compare(item, heap[0]) < 0) {
			heap[0] = item;
			this.down(0);
		}
	}

	/** The last of the selected items in order (the heap's root), without sorting them. */
	largest(): T | undefined {
		return this.heap[0];
	}

	/** The selected items, in order. */
	sorted(): T[] {
		return this.heap.slice().sort(this.compare);
	}

	// The root is the largest item kept, the first to give way to a smaller one.
	private up(i: number): void {
		const heap = this.heap;
		while (i > 0) {
			const parent = (i - 1) >> 1;
			if (this.compare(heap[i], heap[parent]) <= 0) return;
			[heap[i], heap[parent]] = [heap[parent], heap[i]];
			i = parent;
		}
	}

	private down(i: number): void {
		const heap = this.heap;
		for (;;) {
			const left = 2 * i + 1;
			const right = left + 1;
			let largest = i;
			if (left < heap.length && this.compare(heap[left], heap[largest]) > 0) largest = left;
			if (right < heap.length && this.compare(heap[right], heap[largest]) > 0) largest = right;
			if (largest === i) return;
			[heap[i], heap[largest]] = [heap[largest], heap[i]];
			i = largest;
		}
	}
}
