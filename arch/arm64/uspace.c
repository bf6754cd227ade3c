/* User address spaces: a TTBR0 table per process tagged with an 8-bit ASID, built at spawn, freed at exit. */
#include <locklab/user.h>
#include <locklab/errno.h>
#include <locklab/klock.h>
#include <locklab/mm.h>
#include <locklab/mman.h>
#include <locklab/spinlock.h>
#include <locklab/string.h>
#include <asm/atomic.h>
#include <asm/boot.h>
#include <asm/memory.h>
#include <asm/sysreg.h>

/*
 * Three levels (39-bit VA, 4 KiB pages, as TTBR1): every table is a page
 * from page_alloc. Leaves are 4 KiB pages, all not-global (nG): the TLB
 * tags them with the ASID, so a switch of TTBR0 needs no TLB flush, and
 * kernel entries (global, TTBR1) are shared by every ASID. A leaf whose
 * page the address space owns (one a fault allocated) carries
 * PTE_SW_OWNED and is freed with it; the text is the kernel image's, the
 * shared page the spawner's, a shared file mapping's page the file's.
 * Tables, once allocated, stay until the address space goes.
 */
#define PTE_NG	     (1UL << 11)
#define PTE_AP_EL0   (1UL << 6)	 /* AP[1]: EL0 may access */
#define PTE_SW_OWNED (1UL << 55) /* software bit: free the page with the table */
#define PTE_ADDR     0x0000fffffffff000UL
#define PTE_USER \
	(PTE_VALID | PTE_TABLE | PTE_ATTR(MT_NORMAL) | PTE_SH_INNER | PTE_AF | PTE_NG | PTE_AP_EL0)
#define PTE_USER_TEXT (PTE_USER | PTE_AP_RO | PTE_PXN)
#define PTE_USER_DATA (PTE_USER | PTE_PXN | PTE_UXN)

/*
 * An entry is read and written whole, once: the table walker reads it as
 * one 64-bit access, so a store the compiler split or merged with its
 * neighbours could show it half-made. (xv6 and Linux do the same with
 * volatile accessors.)
 */
static inline u64 pte_read(const u64 *e)
{
	return *(const volatile u64 *)e;
}

static inline void pte_write(u64 *e, u64 v)
{
	*(volatile u64 *)e = v;
}

static struct spinlock asid_lock = SPINLOCK_INIT("asid");
static u8 asid_used[USER_ASID_LAST + 1]; /* guarded by asid_lock */
static u32 asid_count;			 /* guarded by asid_lock; read atomically */

/* A user_mm is a page of its own: with 32 regions and the FP/SIMD registers it passes kmalloc's 2 KiB under some lock variants. */
_Static_assert(sizeof(struct user_mm) <= PAGE_SIZE, "uspace_create takes a page for a user_mm");
/* Every process but pid 1 runs on a task of its own, and each CPU's idle task takes one more. */
_Static_assert(CONFIG_SCHED_MAX_TASKS - 2 <= USER_ASID_LAST - USER_ASID_FIRST + 1,
	       "more live processes than ASIDs: asid_alloc would need a rollover");

long asid_alloc(void)
{
	long asid = -EAGAIN;
	u64 flags = spin_lock_irqsave(&asid_lock);

	/* An ASID is taken until its process exits; no rollover is needed (the assert below). */
	for (u32 a = USER_ASID_FIRST; a <= USER_ASID_LAST; a++) {
		if (!asid_used[a]) {
			asid_used[a] = 1;
			atomic_store_relaxed(&asid_count, asid_count + 1);
			asid = a;
			break;
		}
	}
	spin_unlock_irqrestore(&asid_lock, flags);
	return asid;
}

void asid_free(u32 asid)
{
	u64 flags;

	/*
	 * Its entries leave every CPU's TLB (walk caches included) before the
	 * ASID can be handed out again: the next owner's table is another.
	 */
	dsb(ishst);
	__asm__ volatile("tlbi aside1is, %0" : : "r"((u64)asid << 48) : "memory");
	dsb(ish);
	isb();
	flags = spin_lock_irqsave(&asid_lock);
	asid_used[asid] = 0;
	atomic_store_relaxed(&asid_count, asid_count - 1);
	spin_unlock_irqrestore(&asid_lock, flags);
}

u32 asid_in_use(void)
{
	return atomic_load_relaxed(&asid_count);
}

void uspace_switch(u64 ttbr0)
{
	u64 v = ttbr0 ? ttbr0 : virt_to_phys(empty_pg_dir);

	if (read_sysreg(ttbr0_el1) == v)
		return;
	write_sysreg(v, ttbr0_el1);
	isb(); /* the next access to a low address walks the new table */
}

/* The table below entry e (allocating it if need be); NULL without memory. */
static u64 *next_table(u64 *e)
{
	u64 old = pte_read(e), *t;

	if (old & PTE_VALID)
		return phys_to_virt(old & PTE_ADDR);
	t = page_alloc();
	if (!t)
		return NULL;
	/*
	 * The zeroed table before the entry that leads to it: a walker may
	 * follow the entry at once (a speculative walk of this process's own
	 * table), and a freed table page still holds its old leaves, which it
	 * could otherwise load into the TLB, where nothing would flush them.
	 */
	dsb(ishst);
	pte_write(e, virt_to_phys(t) | PTE_VALID | PTE_TABLE);
	return t;
}

static bool map_page(struct user_mm *mm, u64 va, u64 pa, u64 attrs)
{
	u64 *l2, *l3;

	/* As leaf_of: the indexes below would wrap, mapping the page at va's low bits instead. */
	if (va >= USER_VA_TOP)
		return false;
	l2 = next_table(&mm->l1[(va >> 30) % 512]);
	l3 = l2 ? next_table(&l2[(va >> 21) % 512]) : NULL;
	if (!l3)
		return false;
	pte_write(&l3[(va >> 12) % 512], pa | attrs);
	return true;
}

/* The leaf entry of user address va (NULL if no table reaches it; it may be invalid). */
static u64 *leaf_of(struct user_mm *mm, u64 va)
{
	u64 *t = mm->l1;

	if (va >= USER_VA_TOP)
		return NULL;
	for (u32 shift = 30; shift > 12; shift -= 9) {
		u64 e = pte_read(&t[(va >> shift) % 512]);

		if (!(e & PTE_VALID))
			return NULL;
		t = phys_to_virt(e & PTE_ADDR);
	}
	return &t[(va >> 12) % 512];
}

/*
 * The leaf attributes for prot: writable implies readable (no write-only
 * pages on arm64); PROT_NONE keeps the page (mprotect may give access
 * back) but EL0, and the copies' LDTR/STTR, may not touch it.
 */
static u64 prot_attrs(u32 prot)
{
	u64 a = PTE_USER | PTE_PXN;

	if (!(prot & PROT_WRITE))
		a |= PTE_AP_RO;
	if (!(prot & PROT_EXEC))
		a |= PTE_UXN;
	if (prot == PROT_NONE)
		a &= ~PTE_AP_EL0;
	return a;
}

bool uspace_map(struct user_mm *mm, u64 va, void *page, u32 prot, bool owned)
{
	klock_assert_held(&mm->lock);
	if (!map_page(mm, va, virt_to_phys(page), prot_attrs(prot) | (owned ? PTE_SW_OWNED : 0)))
		return false;
	/*
	 * The entry was invalid, which no TLB holds: visible to this CPU's
	 * walker once the store is, before the faulting access is retried.
	 */
	dsb(ishst);
	isb();
	return true;
}

void *uspace_page(struct user_mm *mm, u64 va)
{
	u64 *e = leaf_of(mm, va), v = e ? pte_read(e) : 0;

	return (v & PTE_VALID) ? phys_to_virt(v & PTE_ADDR) : NULL;
}

bool uspace_present(struct user_mm *mm, u64 va, enum vm_access acc)
{
	u64 *e = leaf_of(mm, va), v = e ? pte_read(e) : 0;

	if (!(v & PTE_VALID))
		return false;
	if (acc == VM_ACCESS_WRITE)
		return !(v & PTE_AP_RO);
	return acc != VM_ACCESS_EXEC || !(v & PTE_UXN);
}

/* The entry below table entry e, or NULL where there is no table. */
static u64 *table_below(u64 e)
{
	return (e & PTE_VALID) ? phys_to_virt(e & PTE_ADDR) : NULL;
}

/*
 * The next valid leaf at or above *va and below end, *va moved to its
 * address; NULL when there is none. Skips whole gigabytes and 2 MiB
 * blocks without a table (an munmap or mprotect may cover many).
 */
static u64 *next_leaf(struct user_mm *mm, u64 *va, u64 end)
{
	while (*va < end) {
		u64 *l2 = table_below(pte_read(&mm->l1[(*va >> 30) % 512])), *l3, *e;

		if (!l2) {
			*va = ALIGN_DOWN(*va, 1UL << 30) + (1UL << 30);
			continue;
		}
		l3 = table_below(pte_read(&l2[(*va >> 21) % 512]));
		if (!l3) {
			*va = ALIGN_DOWN(*va, 1UL << 21) + (1UL << 21);
			continue;
		}
		e = &l3[(*va >> 12) % 512];
		if (pte_read(e) & PTE_VALID)
			return e;
		*va += PAGE_SIZE;
	}
	return NULL;
}

/* va's entry (changed already) leaves every CPU's TLB before the caller goes on. */
static void flush_user_page(struct user_mm *mm, u64 va)
{
	dsb(ishst);
	__asm__ volatile("tlbi vae1is, %0" : : "r"((va >> 12) | (u64)mm->asid << 48) : "memory");
	dsb(ish);
}

u64 uspace_unmap_range(struct user_mm *mm, u64 start, u64 end)
{
	u64 freed = 0, *e;

	klock_assert_held(&mm->lock);
	for (u64 va = start; (e = next_leaf(mm, &va, end)) != NULL; va += PAGE_SIZE) {
		u64 old = pte_read(e);

		pte_write(e, 0);
		flush_user_page(mm, va); /* before the page can be anyone else's */
		if (old & PTE_SW_OWNED) {
			page_free(phys_to_virt(old & PTE_ADDR));
			freed++;
		}
	}
	isb();
	return freed;
}

void uspace_protect_range(struct user_mm *mm, u64 start, u64 end, u32 prot)
{
	u64 *e;

	klock_assert_held(&mm->lock);
	for (u64 va = start; (e = next_leaf(mm, &va, end)) != NULL; va += PAGE_SIZE) {
		/* Only the permissions change (same page, same type): no break-before-make needed. */
		u64 old = pte_read(e), now = (old & (PTE_ADDR | PTE_SW_OWNED)) | prot_attrs(prot);

		if (now == old)
			continue;
		pte_write(e, now);
		flush_user_page(mm, va); /* no CPU goes on with the old rights */
	}
	isb();
}

/* What every address space maps at once: the user text and the shared page; the rest comes on first touch. */
static bool map_fixed(struct user_mm *mm, bool image_text, void *shared)
{
	u64 text = (u64)__user_start, size = image_text ? (u64)(__user_end - __user_start) : 0;

	for (u64 off = 0; off < size; off += PAGE_SIZE)
		if (!map_page(mm, USER_TEXT_BASE + off, virt_to_phys((void *)(text + off)),
			      PTE_USER_TEXT))
			return false;
	return !shared || map_page(mm, USER_SHARED_BASE, virt_to_phys(shared), PTE_USER_DATA);
}

long uspace_create(void *shared, bool image_text, struct user_mm **out)
{
	struct user_mm *mm = page_alloc(); /* zeroed */
	long asid;

	if (!mm)
		return -ENOMEM;
	mm->l1 = page_alloc();
	if (!mm->l1) {
		page_free(mm);
		return -ENOMEM;
	}
	asid = asid_alloc();
	if (asid < 0) {
		page_free(mm->l1);
		page_free(mm);
		return asid;
	}
	mm->asid = (u32)asid;
	mm->shared = (u64)shared;
	klock_init(&mm->lock, "mmap_lock", SUBSYS_MM);
	vm_init(mm, image_text, shared != NULL);
	if (!map_fixed(mm, image_text, shared)) {
		uspace_destroy(mm);
		return -ENOMEM;
	}
	mm->ttbr0 = virt_to_phys(mm->l1) | (u64)mm->asid << 48;
	/* The tables are complete for any CPU's walker before TTBR0 can name them. */
	dsb(ishst);
	*out = mm;
	return 0;
}

void uspace_destroy(struct user_mm *mm)
{
	/* Nothing walks these tables any more: flush the ASID, then free. */
	asid_free(mm->asid);
	for (u32 i = 0; i < 512; i++) {
		u64 *l2;

		if (!(mm->l1[i] & PTE_VALID))
			continue;
		l2 = phys_to_virt(mm->l1[i] & PTE_ADDR);
		for (u32 j = 0; j < 512; j++) {
			u64 *l3;

			if (!(l2[j] & PTE_VALID))
				continue;
			l3 = phys_to_virt(l2[j] & PTE_ADDR);
			for (u32 k = 0; k < 512; k++)
				if ((l3[k] & PTE_VALID) && (l3[k] & PTE_SW_OWNED))
					page_free(phys_to_virt(l3[k] & PTE_ADDR));
			page_free(l3);
		}
		page_free(l2);
	}
	page_free(mm->l1);
	page_free(mm);
}
