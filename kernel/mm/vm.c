/* User address spaces as regions: first-touch page faults, brk, mmap (anonymous or of a file), munmap and mprotect, under the address-space lock. */
#include <locklab/vm.h>
#include <locklab/errno.h>
#include <locklab/fs.h>
#include <locklab/klock.h>
#include <locklab/mm.h>
#include <locklab/mman.h>
#include <locklab/panic.h>
#include <locklab/string.h>
#include <locklab/user.h>
#include <locklab/percpu.h>
#include <asm/atomic.h>
#include <asm/boot.h>

/*
 * The address-space lock ("mmap_lock", Linux's mmap_sem) is a data lock
 * in the mm: under FINE it is that process's own lock, under SUBSYS the
 * mm subsystem's, under BKL the big lock, as every other lock. Only the
 * process's own task changes its regions, so it is contended only when
 * the strategy makes it a shared lock, which is the point of the lesson.
 * It is taken with the kernel and mm scopes around it because a fault
 * from EL0 comes from outside any system call.
 */
static void mm_lock(struct user_mm *mm)
{
	kernel_enter();
	subsys_enter(SUBSYS_MM);
	klock_lock(&mm->lock);
}

/*
 * File mappings that regions gave up under the lock: their references go
 * after it (fs_mmap_end may free the file, which takes fs locks, and fs
 * comes before mm in the lock order), once the pages left the TLBs.
 */
struct vm_drops {
	struct inode *file[VM_MAX_REGIONS + 1];
	u32 n;
};

static void drop_file(struct vm_drops *d, const struct vm_region *r)
{
	if (r->file) {
		BUG_ON(d->n == ARRAY_SIZE(d->file));
		d->file[d->n++] = r->file;
	}
}

static void drops_end(struct vm_drops *d)
{
	for (u32 i = 0; i < d->n; i++)
		fs_mmap_end(d->file[i]);
}

/* The lock and scopes go; then d's files (NULL: none), still inside the kernel scope. */
static void mm_unlock_drop(struct user_mm *mm, struct vm_drops *d)
{
	klock_unlock(&mm->lock);
	subsys_exit(SUBSYS_MM);
	if (d)
		drops_end(d);
	kernel_exit();
}

static void mm_unlock(struct user_mm *mm)
{
	mm_unlock_drop(mm, NULL);
}

/* First-touch faults served, per CPU (a shared counter would be a lock of its own under FINE). */
static struct {
	u64 n; /* atomic: tasks on this CPU may preempt each other */
} __attribute__((aligned(64))) faults_on[CONFIG_NR_CPUS];

u64 vm_fault_total(void)
{
	u64 sum = 0;

	for (u32 c = 0; c < CONFIG_NR_CPUS; c++)
		sum += atomic_load_relaxed(&faults_on[c].n);
	return sum;
}

/* The region holding addr, or NULL. */
static struct vm_region *region_of(struct user_mm *mm, u64 addr)
{
	for (u32 i = 0; i < mm->nr_regions; i++)
		if (addr >= mm->regions[i].start && addr < mm->regions[i].end)
			return &mm->regions[i];
	return NULL;
}

/* Whether region r allows acc: write implies read, as the page tables cannot say write-only. */
static bool region_allows(const struct vm_region *r, enum vm_access acc)
{
	switch (acc) {
	case VM_ACCESS_READ: return r->prot & (PROT_READ | PROT_WRITE);
	case VM_ACCESS_WRITE: return r->prot & PROT_WRITE;
	default: return r->prot & PROT_EXEC;
	}
}

/* Puts a copy of r in sorted place (the caller checked there is room and no overlap). */
static void region_insert(struct user_mm *mm, const struct vm_region *r)
{
	u32 i = mm->nr_regions;

	while (i > 0 && mm->regions[i - 1].start > r->start) {
		mm->regions[i] = mm->regions[i - 1];
		i--;
	}
	mm->regions[i] = *r;
	mm->nr_regions++;
}

/* An anonymous region of one kind (text, shared page, heap, stack, a loaded program's). */
static void region_add(struct user_mm *mm, u64 start, u64 end, u32 prot, u32 kind)
{
	struct vm_region r = { .start = start,
			       .end = end,
			       .prot = (u8)prot,
			       .kind = (u8)kind,
			       .flags = VM_MAY_WRITE };

	region_insert(mm, &r);
}

/* Cuts r in two at at (inside it); the tail, with its file page and its own mapping reference, goes in after it. */
static void region_cut(struct user_mm *mm, struct vm_region *r, u64 at)
{
	struct vm_region tail = *r;

	tail.start = at;
	tail.pgoff += (u32)((at - r->start) / PAGE_SIZE);
	if (tail.file)
		fs_mmap_dup(tail.file);
	r->end = at;
	region_insert(mm, &tail);
}

static void region_remove(struct user_mm *mm, u32 i)
{
	memmove(&mm->regions[i], &mm->regions[i + 1],
		(mm->nr_regions - i - 1) * sizeof(mm->regions[0]));
	mm->nr_regions--;
}

static struct vm_region *heap_of(struct user_mm *mm)
{
	for (u32 i = 0; i < mm->nr_regions; i++)
		if (mm->regions[i].kind == VM_HEAP)
			return &mm->regions[i];
	return NULL; /* not reached: vm_init made one */
}

void vm_init(struct user_mm *mm, bool image_text, bool shared)
{
	u64 text = ALIGN_UP((u64)(__user_end - __user_start), PAGE_SIZE);

	/* Nobody else sees mm yet: no lock. The heap starts empty (start == end matches no address). */
	mm->nr_regions = 0;
	if (image_text)
		region_add(mm, USER_TEXT_BASE, USER_TEXT_BASE + text, PROT_READ | PROT_EXEC,
			   VM_TEXT);
	if (shared)
		region_add(mm, USER_SHARED_BASE, USER_SHARED_BASE + PAGE_SIZE,
			   PROT_READ | PROT_WRITE, VM_SHARED);
	region_add(mm, USER_HEAP_BASE, USER_HEAP_BASE, PROT_READ | PROT_WRITE, VM_HEAP);
	region_add(mm, USER_STACK_TOP - USER_STACK_PAGES * PAGE_SIZE, USER_STACK_TOP,
		   PROT_READ | PROT_WRITE, VM_STACK);
	mm->brk = USER_HEAP_BASE;
}

long vm_add_region(struct user_mm *mm, u64 start, u64 end, u32 prot, u32 kind)
{
	long ret = 0;

	if (start % PAGE_SIZE || end % PAGE_SIZE || start >= end || end > USER_HEAP_BASE)
		return -EINVAL;
	mm_lock(mm);
	for (u32 i = 0; i < mm->nr_regions && !ret; i++)
		if (mm->regions[i].start < end && mm->regions[i].end > start)
			ret = -EINVAL;
	if (!ret && mm->nr_regions == VM_MAX_REGIONS)
		ret = -ENOMEM;
	if (!ret)
		region_add(mm, start, end, prot, kind);
	mm_unlock(mm);
	return ret;
}

void *vm_load_page(struct user_mm *mm, u64 va)
{
	struct vm_region *r;
	void *page = NULL;

	mm_lock(mm);
	r = region_of(mm, va);
	if (r && !(page = uspace_page(mm, va))) {
		page = page_alloc();
		if (page && uspace_map(mm, ALIGN_DOWN(va, PAGE_SIZE), page, r->prot, true)) {
			mm->pages++;
		} else if (page) {
			page_free(page);
			page = NULL;
		}
	}
	mm_unlock(mm);
	return page;
}

/*
 * A file mapping's first touch of va: the file's own page (shared; the
 * address space does not own it), or a copy of it taken now (private,
 * owned; later writes to the file do not show in it, which POSIX allows).
 */
static long file_fault(struct user_mm *mm, const struct vm_region *r, u64 va)
{
	u64 idx = r->pgoff + (va - r->start) / PAGE_SIZE;
	bool shared = r->flags & VM_FILE_SHARED;
	u8 *page, *copy;
	long bytes = fs_mmap_page(r->file, idx, shared, (void **)&page);

	if (bytes < 0)
		return bytes;
	if (shared)
		return uspace_map(mm, va, page, r->prot, false) ? 0 : -ENOMEM;
	copy = page_alloc(); /* zeroed: a hole stays zeros */
	if (!copy)
		return -ENOMEM;
	if (page)
		memcpy(copy, page, (u64)bytes); /* not what a shared mapping left past the end */
	if (!uspace_map(mm, va, copy, r->prot, true)) {
		page_free(copy);
		return -ENOMEM;
	}
	mm->pages++;
	return 0;
}

long vm_fault(struct user_mm *mm, u64 addr, enum vm_access acc)
{
	u64 va = ALIGN_DOWN(addr, PAGE_SIZE);
	struct vm_region *r;
	long ret = 0;
	void *page;

	mm_lock(mm);
	r = region_of(mm, addr);
	if (!r || !region_allows(r, acc)) {
		ret = -EFAULT;
	} else if (uspace_present(mm, va, acc)) {
		goto out; /* mapped already: a copy that faulted on its neighbour, or a retry */
	} else if (r->kind == VM_TEXT || r->kind == VM_SHARED) {
		ret = -EFAULT; /* mapped (or loaded) at spawn, never on demand */
	} else if (r->file) {
		ret = file_fault(mm, r, va);
	} else if (!(page = page_alloc())) { /* zeroed: no other process's data leaks */
		ret = -ENOMEM;
	} else if (!uspace_map(mm, va, page, r->prot, true)) {
		page_free(page);
		ret = -ENOMEM;
	} else {
		mm->pages++;
	}
	if (!ret) {
		mm->faults++;
		atomic_fetch_add_relaxed(&faults_on[smp_processor_id()].n, 1UL);
	}
out:
	mm_unlock(mm);
	return ret;
}

bool vm_range_ok(struct user_mm *mm, u64 p, u64 len, enum vm_access acc)
{
	u64 end = p + len;
	bool ok = true;

	if (!p || end < p || end > USER_VA_TOP)
		return false;
	mm_lock(mm);
	for (u64 a = p; a < end && ok;) {
		struct vm_region *r = region_of(mm, a);

		ok = r && region_allows(r, acc);
		if (ok)
			a = r->end; /* regions may touch: the next one goes on */
	}
	mm_unlock(mm);
	return ok;
}

/* Frees every page mm owns in [start, end) (page-aligned). */
static void unmap_pages(struct user_mm *mm, u64 start, u64 end)
{
	mm->pages -= uspace_unmap_range(mm, start, end);
}

u64 vm_brk(struct user_mm *mm, u64 addr)
{
	struct vm_region *heap;
	u64 end, ret;

	mm_lock(mm);
	heap = heap_of(mm);
	/* Linux's brk: an address it cannot move to (brk(0) among them) leaves the break where it is. */
	if (addr >= USER_HEAP_BASE && addr <= USER_HEAP_BASE + USER_HEAP_MAX) {
		end = ALIGN_UP(addr, PAGE_SIZE);
		if (end < heap->end)
			unmap_pages(mm, end, heap->end);
		heap->end = end;
		mm->brk = addr;
	}
	ret = mm->brk;
	mm_unlock(mm);
	return ret;
}

/* The lowest gap of len bytes in [USER_MMAP_BASE, USER_MMAP_TOP), or 0. */
static u64 find_gap(struct user_mm *mm, u64 len)
{
	u64 at = USER_MMAP_BASE;

	for (u32 i = 0; i < mm->nr_regions; i++) {
		const struct vm_region *r = &mm->regions[i];

		if (r->end <= at || r->start == r->end)
			continue;
		if (r->start >= at + len)
			break;
		at = r->end;
	}
	return at + len <= USER_MMAP_TOP ? at : 0;
}

/*
 * munmap's first half: whether [addr, end) may be unmapped (only mmap
 * regions in it: -EINVAL otherwise), how many regions it would cut in two
 * and how many it would remove whole. Changes nothing.
 */
static long unmap_check(struct user_mm *mm, u64 addr, u64 end, u32 *splits, u32 *removed)
{
	long ret = 0;

	*splits = *removed = 0;
	for (u32 i = 0; i < mm->nr_regions; i++) {
		const struct vm_region *r = &mm->regions[i];

		if (r->end <= addr || r->start >= end || r->start == r->end)
			continue;
		if (r->kind != VM_MMAP)
			ret = -EINVAL;
		*splits += r->start < addr && r->end > end;
		*removed += r->start >= addr && r->end <= end;
	}
	return ret;
}

/* munmap's second half, once unmap_check passed and the slots are there: pages and regions go (files into d). */
static void unmap_apply(struct user_mm *mm, u64 addr, u64 end, struct vm_drops *d)
{
	for (u32 i = 0; i < mm->nr_regions;) {
		struct vm_region *r = &mm->regions[i];
		u64 lo = MAX(r->start, addr), hi = MIN(r->end, end);

		if (r->end <= addr || r->start >= end || r->start == r->end) {
			i++;
			continue;
		}
		unmap_pages(mm, lo, hi);
		if (r->start < addr && r->end > end) { /* a hole in the middle: two regions */
			region_cut(mm, r, end); /* the tail goes in after r: r stays where it is */
			r->end = addr;
			return;
		}
		if (r->start < addr) {
			r->end = addr;
			i++;
		} else if (r->end > end) {
			r->pgoff += (u32)((end - r->start) / PAGE_SIZE);
			r->start = end;
			i++;
		} else {
			drop_file(d, r);
			region_remove(mm, i);
		}
	}
}

long vm_mmap(struct user_mm *mm, u64 addr, u64 len, const struct vm_region *how, bool fixed)
{
	struct vm_region r = *how;
	struct vm_drops d = { .n = 0 };
	u32 splits, removed;
	long ret;

	len = ALIGN_UP(len, PAGE_SIZE);
	mm_lock(mm);
	if (fixed) {
		/*
		 * Linux's MAP_FIXED: what was mapped there goes first, but only
		 * mmap regions may. A slot for the cut, if one is cut in two
		 * (then none goes whole), and for the new region once the
		 * regions it covers whole are gone.
		 */
		ret = unmap_check(mm, addr, addr + len, &splits, &removed);
		if (!ret && mm->nr_regions - removed + splits + 1 > VM_MAX_REGIONS)
			ret = -ENOMEM;
		if (!ret) {
			unmap_apply(mm, addr, addr + len, &d);
			r.start = addr;
		}
	} else if (mm->nr_regions == VM_MAX_REGIONS || !(r.start = find_gap(mm, len))) {
		ret = -ENOMEM;
	} else {
		ret = 0;
	}
	if (!ret) {
		r.end = r.start + len;
		r.kind = VM_MMAP;
		region_insert(mm, &r);
		ret = (long)r.start; /* no page yet: each comes on first touch */
	} else {
		drop_file(&d, &r); /* the caller's reference goes with the refusal */
	}
	mm_unlock_drop(mm, &d);
	return ret;
}

long vm_munmap(struct user_mm *mm, u64 addr, u64 len)
{
	u64 end = addr + ALIGN_UP(len, PAGE_SIZE);
	struct vm_drops d = { .n = 0 };
	u32 splits, removed;
	long ret;

	mm_lock(mm);
	/* First refuse, changing nothing: only mmap regions go, and a split needs a free slot. */
	ret = unmap_check(mm, addr, end, &splits, &removed);
	if (!ret && mm->nr_regions + splits > VM_MAX_REGIONS)
		ret = -ENOMEM;
	if (!ret)
		unmap_apply(mm, addr, end, &d);
	mm_unlock_drop(mm, &d);
	return ret;
}

/*
 * Cuts the region holding at (not at its start) in two at at, unless it
 * has prot already (mprotect changes nothing there); the caller checked
 * there is a slot.
 */
static void region_split(struct user_mm *mm, u64 at, u32 prot)
{
	struct vm_region *r = region_of(mm, at);

	if (r && r->start < at && r->prot != prot)
		region_cut(mm, r, at);
}

/* Whether b continues a as one region would: mmap, same rights and flags, the same file at the next page. */
static bool regions_join(const struct vm_region *a, const struct vm_region *b)
{
	return a->kind == VM_MMAP && b->kind == VM_MMAP && a->end == b->start &&
	       a->prot == b->prot && a->flags == b->flags && a->file == b->file &&
	       (!a->file || b->pgoff == a->pgoff + (a->end - a->start) / PAGE_SIZE);
}

/* Joins neighbouring mmap regions that regions_join allows, as Linux merges VMAs: slots come back. */
static void regions_merge(struct user_mm *mm, struct vm_drops *d)
{
	for (u32 i = 0; i + 1 < mm->nr_regions;) {
		struct vm_region *a = &mm->regions[i], *b = &mm->regions[i + 1];

		if (regions_join(a, b)) {
			a->end = b->end;
			drop_file(d, b); /* a's reference covers both now */
			region_remove(mm, i + 1);
		} else {
			i++;
		}
	}
}

long vm_mprotect(struct user_mm *mm, u64 addr, u64 len, u32 prot)
{
	u64 end = addr + ALIGN_UP(len, PAGE_SIZE);
	struct vm_drops d = { .n = 0 };
	struct vm_region *r;
	u32 splits = 0;
	long ret = 0;

	mm_lock(mm);
	/*
	 * Every page in mmap regions (a hole: -ENOMEM, as Linux; another kind:
	 * -EINVAL; write to a shared mapping of a file opened without it:
	 * -EACCES); nothing changes on refusal.
	 */
	for (u64 a = addr; a < end; a = r->end) {
		r = region_of(mm, a);
		if (!r || r->kind != VM_MMAP) {
			ret = r ? -EINVAL : -ENOMEM;
			break;
		}
		if ((prot & PROT_WRITE) && !(r->flags & VM_MAY_WRITE)) {
			ret = -EACCES;
			break;
		}
		/* A region with these rights already is left whole, as Linux leaves such a VMA. */
		if (r->prot != prot)
			splits += (r->start < addr) + (r->end > end);
	}
	if (!ret && mm->nr_regions + splits > VM_MAX_REGIONS)
		ret = -ENOMEM;
	if (!ret) {
		region_split(mm, addr, prot);
		region_split(mm, end, prot);
		for (u32 i = 0; i < mm->nr_regions; i++)
			if (mm->regions[i].start >= addr && mm->regions[i].end <= end)
				mm->regions[i].prot = (u8)prot;
		/* Pages already there change now; the rest come with prot's rights on first touch. */
		uspace_protect_range(mm, addr, end, prot);
		regions_merge(mm, &d);
	}
	mm_unlock_drop(mm, &d);
	return ret;
}

void vm_destroy(struct user_mm *mm)
{
	struct vm_drops d = { .n = 0 };

	/* Nobody runs in mm any more: no lock. The tables and TLBs let go of the files' pages first. */
	for (u32 i = 0; i < mm->nr_regions; i++)
		drop_file(&d, &mm->regions[i]);
	uspace_destroy(mm);
	drops_end(&d);
}
