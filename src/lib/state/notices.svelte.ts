/** Results and errors of what the user did, shown as dismissable notices in a live region. */
export interface Notice {
	id: number;
	tone: 'success' | 'error' | 'info';
	text: string;
}

const LIFETIME = { success: 5000, info: 5000, error: 12_000 };

export class Notices {
	items = $state.raw<Notice[]>([]);
	#next = 1;

	push(tone: Notice['tone'], text: string): void {
		const id = this.#next++;
		this.items = [...this.items, { id, tone, text }].slice(-5);
		setTimeout(() => this.dismiss(id), LIFETIME[tone]);
	}

	dismiss(id: number): void {
		this.items = this.items.filter((n) => n.id !== id);
	}
}
