/* User address spaces as regions: first-touch page faults, brk, mmap, munmap and mprotect of anonymous memory, under the address-space lock. */
#include <locklab/vm.h>
#include <locklab/errno.h>
#include <locklab/klock.h>
#include <locklab/mm.h>
#include <locklab/mman.h>
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

static void mm_unlock(struct user_mm *mm)
{
	klock_unlock(&mm->lock);
	subsys_exit(SUBSYS_MM);
	kernel_exit();
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

/* Puts a region in sorted place (the caller checked there is room and no overlap). */
static void region_insert(struct user_mm *mm, u64 start, u64 end, u32 prot, u32 kind)
{
	u32 i = mm->nr_regions;

	while (i > 0 && mm->regions[i - 1].start > start) {
		mm->regions[i] = mm->regions[i - 1];
		i--;
	}
	mm->regions[i] = (struct vm_region){ start, end, prot, kind };
	mm->nr_regions++;
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
		region_insert(mm, USER_TEXT_BASE, USER_TEXT_BASE + text, PROT_READ | PROT_EXEC,
			      VM_TEXT);
	if (shared)
		region_insert(mm, USER_SHARED_BASE, USER_SHARED_BASE + PAGE_SIZE,
			      PROT_READ | PROT_WRITE, VM_SHARED);
	region_insert(mm, USER_HEAP_BASE, USER_HEAP_BASE, PROT_READ | PROT_WRITE, VM_HEAP);
	region_insert(mm, USER_STACK_TOP - USER_STACK_PAGES * PAGE_SIZE, USER_STACK_TOP,
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
		region_insert(mm, start, end, prot, kind);
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
		if (page && uspace_map(mm, ALIGN_DOWN(va, PAGE_SIZE), page, r->prot)) {
			mm->pages++;
		} else if (page) {
			page_free(page);
			page = NULL;
		}
	}
	mm_unlock(mm);
	return page;
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
		ret = 0; /* mapped already: a copy that faulted on its neighbour, or a retry */
	} else if (r->kind == VM_TEXT || r->kind == VM_SHARED) {
		ret = -EFAULT;		     /* mapped (or loaded) at spawn, never on demand */
	} else if (!(page = page_alloc())) { /* zeroed: no other process's data leaks */
		ret = -ENOMEM;
	} else if (!uspace_map(mm, va, page, r->prot)) {
		page_free(page);
		ret = -ENOMEM;
	} else {
		mm->faults++;
		mm->pages++;
		atomic_fetch_add_relaxed(&faults_on[smp_processor_id()].n, 1UL);
	}
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
 * regions in it: -EINVAL otherwise) and how many regions it would cut in
 * two. Changes nothing.
 */
static long unmap_check(struct user_mm *mm, u64 addr, u64 end, u32 *splits)
{
	long ret = 0;

	*splits = 0;
	for (u32 i = 0; i < mm->nr_regions; i++) {
		const struct vm_region *r = &mm->regions[i];

		if (r->end <= addr || r->start >= end || r->start == r->end)
			continue;
		if (r->kind != VM_MMAP)
			ret = -EINVAL;
		*splits += r->start < addr && r->end > end;
	}
	return ret;
}

/* munmap's second half, once unmap_check passed and the slots are there: pages and regions go. */
static void unmap_apply(struct user_mm *mm, u64 addr, u64 end)
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
			struct vm_region tail = { end, r->end, r->prot, r->kind };

			r->end = addr;
			region_insert(mm, tail.start, tail.end, tail.prot, tail.kind);
			return;
		}
		if (r->start < addr) {
			r->end = addr;
			i++;
		} else if (r->end > end) {
			r->start = end;
			i++;
		} else {
			region_remove(mm, i);
		}
	}
}

long vm_mmap(struct user_mm *mm, u64 addr, u64 len, u32 prot, bool fixed)
{
	u32 splits;
	long ret;
	u64 at;

	len = ALIGN_UP(len, PAGE_SIZE);
	mm_lock(mm);
	if (fixed) {
		/* Linux's MAP_FIXED: what was mapped there goes first, but only mmap regions may. */
		ret = unmap_check(mm, addr, addr + len, &splits);
		if (!ret && mm->nr_regions + splits + 1 > VM_MAX_REGIONS)
			ret = -ENOMEM;
		if (!ret) {
			unmap_apply(mm, addr, addr + len);
			region_insert(mm, addr, addr + len, prot, VM_MMAP);
			ret = (long)addr;
		}
	} else if (mm->nr_regions == VM_MAX_REGIONS || !(at = find_gap(mm, len))) {
		ret = -ENOMEM;
	} else {
		region_insert(mm, at, at + len, prot, VM_MMAP);
		ret = (long)at; /* no page yet: each comes on first touch */
	}
	mm_unlock(mm);
	return ret;
}

long vm_munmap(struct user_mm *mm, u64 addr, u64 len)
{
	u64 end = addr + ALIGN_UP(len, PAGE_SIZE);
	u32 splits;
	long ret;

	mm_lock(mm);
	/* First refuse, changing nothing: only mmap regions go, and a split needs a free slot. */
	ret = unmap_check(mm, addr, end, &splits);
	if (!ret && mm->nr_regions + splits > VM_MAX_REGIONS)
		ret = -ENOMEM;
	if (!ret)
		unmap_apply(mm, addr, end);
	mm_unlock(mm);
	return ret;
}

/* Cuts the region holding at (not at its start) in two at at; the caller checked there is a slot. */
static void region_split(struct user_mm *mm, u64 at)
{
	struct vm_region *r = region_of(mm, at);

	if (r && r->start < at) {
		struct vm_region tail = { at, r->end, r->prot, r->kind };

		r->end = at;
		region_insert(mm, tail.start, tail.end, tail.prot, tail.kind);
	}
}

/* Joins neighbouring mmap regions with the same rights, as Linux merges VMAs: slots come back. */
static void regions_merge(struct user_mm *mm)
{
	for (u32 i = 0; i + 1 < mm->nr_regions;) {
		struct vm_region *a = &mm->regions[i], *b = &mm->regions[i + 1];

		if (a->kind == VM_MMAP && b->kind == VM_MMAP && a->end == b->start &&
		    a->prot == b->prot) {
			a->end = b->end;
			region_remove(mm, i + 1);
		} else {
			i++;
		}
	}
}

long vm_mprotect(struct user_mm *mm, u64 addr, u64 len, u32 prot)
{
	u64 end = addr + ALIGN_UP(len, PAGE_SIZE);
	struct vm_region *r;
	u32 splits = 0;
	long ret = 0;

	mm_lock(mm);
	/* Every page in mmap regions (a hole: -ENOMEM, as Linux; another kind: -EINVAL); nothing changes on refusal. */
	for (u64 a = addr; a < end; a = r->end) {
		r = region_of(mm, a);
		if (!r || r->kind != VM_MMAP) {
			ret = r ? -EINVAL : -ENOMEM;
			break;
		}
		splits += (r->start < addr) + (r->end > end);
	}
	if (!ret && mm->nr_regions + splits > VM_MAX_REGIONS)
		ret = -ENOMEM;
	if (!ret) {
		region_split(mm, addr);
		region_split(mm, end);
		for (u32 i = 0; i < mm->nr_regions; i++)
			if (mm->regions[i].start >= addr && mm->regions[i].end <= end)
				mm->regions[i].prot = prot;
		/* Pages already there change now; the rest come with prot's rights on first touch. */
		uspace_protect_range(mm, addr, end, prot);
		regions_merge(mm);
	}
	mm_unlock(mm);
	return ret;
}
