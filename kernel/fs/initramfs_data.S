/* The user programs' cpio archive (built by user/user.mk), carried in the image's rodata for initramfs.c. */

/*
 * INITRAMFS_CPIO is the archive's path in the build folder, given on the
 * command line by user/user.mk, which also makes this object depend on it:
 * a changed program rebuilds the archive, this object and the image.
 * arch/arm64/kernel.lds places .initramfs in rodata, between
 * __initramfs_start and __initramfs_end.
 */
	.section .initramfs, "a"
	.incbin	INITRAMFS_CPIO
