//! A guard for mapped files that shrink while they are read (Unix). When another program
//! truncates a mapped file (a cleanup script, `truncate`, `cp small big.log`), reading a
//! page that now lies past the file's end raises SIGBUS, which would end the process on
//! the spot. Each map registers its address range here; a SIGBUS handler, installed once,
//! puts zero-filled anonymous pages over the lost part of a registered range and marks the
//! range as tripped, and the read goes on over zeros. The reader then leaves the file's
//! result out and reports it ([`super::source::Bytes::verify`]). A SIGBUS outside every
//! registered range goes to the handler that was there before (Rust's own, which tells a
//! stack overflow apart), or ends the process as it would have.
//!
//! Windows needs no guard: it refuses to truncate a file while a view of it is mapped
//! (`SetEndOfFile` fails with `ERROR_USER_MAPPED_FILE`), so the writer fails, not iislog.

/// A registered map: while it lives, a SIGBUS inside its range is caught.
pub struct Guard {
    #[cfg(unix)]
    slot: &'static imp::Slot,
}

impl Guard {
    /// Guards the `len` bytes at `ptr`, a live file map. `None` when every slot is taken
    /// or this platform has no guard: the caller then reads the file instead of mapping
    /// it. On Windows the system itself keeps a mapped file from shrinking.
    pub fn new(ptr: *const u8, len: usize) -> Option<Guard> {
        #[cfg(unix)]
        {
            imp::register(ptr as usize, len).map(|slot| Guard { slot })
        }
        #[cfg(windows)]
        {
            let _ = (ptr, len);
            Some(Guard {})
        }
        #[cfg(not(any(unix, windows)))]
        {
            let _ = (ptr, len);
            None
        }
    }

    /// True once a read of the range faulted: the file shrank under the map, and the bytes
    /// from the first lost page on read as zeros.
    pub fn tripped(&self) -> bool {
        #[cfg(unix)]
        {
            self.slot.tripped()
        }
        #[cfg(not(unix))]
        {
            false
        }
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        #[cfg(unix)]
        self.slot.release();
    }
}

#[cfg(unix)]
mod imp {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
    use std::sync::{Once, OnceLock};

    /// Maps guarded at once: one per file being read, and a reading thread holds one or,
    /// while it waits for the pieces of a large file, a few. A map that finds no slot
    /// is read into memory instead.
    const SLOTS: usize = 256;

    /// One registered range, page-aligned: `start` 0 means free.
    pub struct Slot {
        taken: AtomicBool,
        start: AtomicUsize,
        end: AtomicUsize,
        tripped: AtomicBool,
    }

    #[allow(clippy::declare_interior_mutable_const)] // a template for the array, not shared
    const FREE: Slot = Slot {
        taken: AtomicBool::new(false),
        start: AtomicUsize::new(0),
        end: AtomicUsize::new(0),
        tripped: AtomicBool::new(false),
    };

    static TABLE: [Slot; SLOTS] = [FREE; SLOTS];
    static PAGE: AtomicUsize = AtomicUsize::new(0);
    static INSTALL: Once = Once::new();
    static INSTALLED: AtomicBool = AtomicBool::new(false);
    /// The SIGBUS action before ours, for faults that are not in a registered range.
    static PREVIOUS: OnceLock<libc::sigaction> = OnceLock::new();

    impl Slot {
        pub fn tripped(&self) -> bool {
            self.tripped.load(SeqCst)
        }

        /// Forgets the range; called before the map is unmapped.
        pub fn release(&self) {
            self.start.store(0, SeqCst);
            self.end.store(0, SeqCst);
            self.tripped.store(false, SeqCst);
            self.taken.store(false, SeqCst);
        }
    }

    /// Registers `[addr, addr + len)`, installing the handler on first use.
    pub fn register(addr: usize, len: usize) -> Option<&'static Slot> {
        INSTALL.call_once(install);
        let page = PAGE.load(SeqCst);
        if !INSTALLED.load(SeqCst) || len == 0 || page == 0 {
            return None;
        }
        let start = addr & !(page - 1);
        let end = addr.checked_add(len)?.checked_add(page - 1)? & !(page - 1);
        let slot = TABLE.iter().find(|s| {
            s.taken
                .compare_exchange(false, true, SeqCst, SeqCst)
                .is_ok()
        })?;
        slot.tripped.store(false, SeqCst);
        slot.end.store(end, SeqCst);
        slot.start.store(start, SeqCst);
        Some(slot)
    }

    fn install() {
        // SAFETY: sysconf and sigaction are called with valid arguments; `action` is fully
        // initialised (zeroed, then the handler, flags and an empty mask set).
        unsafe {
            let page = libc::sysconf(libc::_SC_PAGESIZE);
            if page <= 0 || (page as usize).count_ones() != 1 {
                return;
            }
            PAGE.store(page as usize, SeqCst);
            let mut old: libc::sigaction = std::mem::zeroed();
            if libc::sigaction(libc::SIGBUS, std::ptr::null(), &mut old) != 0 {
                return;
            }
            // Set before ours is live, so the handler always finds it.
            let _ = PREVIOUS.set(old);
            let mut action: libc::sigaction = std::mem::zeroed();
            let handler: extern "C" fn(libc::c_int, *mut libc::siginfo_t, *mut libc::c_void) =
                on_sigbus;
            action.sa_sigaction = handler as libc::sighandler_t;
            action.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK;
            libc::sigemptyset(&mut action.sa_mask);
            if libc::sigaction(libc::SIGBUS, &action, std::ptr::null_mut()) == 0 {
                INSTALLED.store(true, SeqCst);
            }
        }
    }

    /// The handler. It only loads atomics and calls `mmap` (a plain system call) or the
    /// previous handler, so it is safe to run at any point of the interrupted thread,
    /// which was reading mapped bytes.
    extern "C" fn on_sigbus(sig: libc::c_int, info: *mut libc::siginfo_t, ctx: *mut libc::c_void) {
        // SAFETY: the kernel hands a valid siginfo to an SA_SIGINFO handler.
        let addr = unsafe { (*info).si_addr() } as usize;
        let page = PAGE.load(SeqCst);
        for slot in &TABLE {
            let start = slot.start.load(SeqCst);
            let end = slot.end.load(SeqCst);
            if start == 0 || addr < start || addr >= end {
                continue;
            }
            // Every page from the faulting one to the end of the range lies past the
            // file's new end: zero pages over all of them at once, so a file truncated
            // to nothing costs one signal per reading thread, not one per page.
            let from = addr & !(page - 1);
            // SAFETY: [from, end) is inside a live map registered by its owner, who
            // unregisters it before unmapping; MAP_FIXED replaces only those pages.
            let r = unsafe {
                libc::mmap(
                    from as *mut libc::c_void,
                    end - from,
                    libc::PROT_READ,
                    libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_FIXED,
                    -1,
                    0,
                )
            };
            if r != libc::MAP_FAILED {
                slot.tripped.store(true, SeqCst);
                return;
            }
        }
        // SAFETY: the previous action is called as the kernel would have called it.
        unsafe { chain(sig, info, ctx) }
    }

    /// A SIGBUS that is not ours: the previous handler, or the default action (the fault
    /// repeats when the handler returns, and then ends the process).
    unsafe fn chain(sig: libc::c_int, info: *mut libc::siginfo_t, ctx: *mut libc::c_void) {
        let previous = PREVIOUS.get().copied();
        match previous {
            Some(old) if old.sa_sigaction != libc::SIG_DFL && old.sa_sigaction != libc::SIG_IGN => {
                if old.sa_flags & libc::SA_SIGINFO != 0 {
                    let f: extern "C" fn(libc::c_int, *mut libc::siginfo_t, *mut libc::c_void) =
                        std::mem::transmute(old.sa_sigaction);
                    f(sig, info, ctx);
                } else {
                    let f: extern "C" fn(libc::c_int) = std::mem::transmute(old.sa_sigaction);
                    f(sig);
                }
            }
            _ => {
                let mut dfl: libc::sigaction = std::mem::zeroed();
                dfl.sa_sigaction = libc::SIG_DFL;
                libc::sigaction(sig, &dfl, std::ptr::null_mut());
            }
        }
    }
}
