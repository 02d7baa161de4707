//! The test host: which binary to load, the host callbacks, and the one host extension it offers
//! (`clap.gui`: nice-plug aborts when its editor is opened by a host without it).

use clack_host::extensions::prelude::*;
use clack_host::prelude::*;
use std::ffi::CStr;
use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

pub const PLUGIN_ID: &CStr = c"org.blues-lstm.blues-lstm";

/// The plugin binary under test: `BLUES_LSTM_CLAP` (a `.clap` file, as CI sets it to the bundle),
/// else the cdylib `cargo test` builds next to this test (with nice-plug's allocation guard).
pub fn plugin_path() -> PathBuf {
    if let Some(path) = std::env::var_os("BLUES_LSTM_CLAP") {
        let path = PathBuf::from(path);
        assert!(path.exists(), "BLUES_LSTM_CLAP is set to {}, which does not exist", path.display());
        return path;
    }
    let built = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/debug/deps/libblues_lstm.so");
    assert!(
        built.exists(),
        "no plugin binary to load: BLUES_LSTM_CLAP is not set and {} does not exist (run this test \
         with `cargo test --test clap_host`, which builds it, or set BLUES_LSTM_CLAP to a .clap bundle, \
         e.g. \"target/bundled/Blues LSTM.clap\" after `cargo xtask bundle blues_lstm`)",
        built.display()
    );
    built
}

/// Loads the plugin's CLAP entry and says which file it came from.
pub fn load_entry() -> PluginEntry {
    let path = plugin_path();
    let absolute = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
    println!("clap_host: loading {}", absolute.display());
    // SAFETY: loading a CLAP binary runs its initialisation code; this is the binary under test.
    unsafe { PluginEntry::load(&path) }
        .unwrap_or_else(|e| panic!("cannot load the CLAP entry of {}: {e}", path.display()))
}

pub struct TestHost;

/// What the plugin asked of the host (thread-safe side).
#[derive(Default)]
pub struct HostShared {
    pub callback_requested: AtomicBool,
    pub restart_requested: AtomicBool,
    pub process_requested: AtomicBool,
    /// `clap_host_gui` calls: resize, show, hide requests and `closed`.
    pub gui_requests: AtomicU32,
    pub gui_closed: AtomicU32,
}

impl SharedHandler<'_> for HostShared {
    fn request_restart(&self) {
        self.restart_requested.store(true, Ordering::SeqCst);
    }
    fn request_process(&self) {
        self.process_requested.store(true, Ordering::SeqCst);
    }
    fn request_callback(&self) {
        self.callback_requested.store(true, Ordering::SeqCst);
    }
}

impl HostHandlers for TestHost {
    type Shared<'a> = HostShared;
    type MainThread<'a> = ();
    type AudioProcessor<'a> = ();

    fn declare_extensions(builder: &mut HostExtensions<Self>, _shared: &Self::Shared<'_>) {
        builder.register::<HostGui>();
    }
}

pub fn host_info() -> HostInfo {
    HostInfo::new("blues_lstm clap_host test", "blues_lstm", "https://example.invalid/blues_lstm", "0.1.0")
        .expect("host info strings have no NUL")
}

/// A new instance of the plugin (created and initialised).
pub fn new_instance(entry: &PluginEntry) -> PluginInstance<TestHost> {
    PluginInstance::<TestHost>::new(|_| HostShared::default(), |_| (), entry, PLUGIN_ID, &host_info())
        .unwrap_or_else(|e| panic!("cannot instantiate {PLUGIN_ID:?}: {e}"))
}

/// Runs the plugin's main-thread callback if it asked for one (as a host's event loop would).
pub fn serve_main_thread(instance: &mut PluginInstance<TestHost>) {
    let requested = instance.access_shared_handler(|h| h.callback_requested.swap(false, Ordering::SeqCst));
    if requested {
        instance.call_on_main_thread_callback();
    }
}

// ---- clap.gui, host side (`clap_host_gui`) ----

#[repr(C)]
#[derive(Copy, Clone)]
pub struct RawHostGui {
    resize_hints_changed: Option<unsafe extern "C" fn(*const clap_host)>,
    request_resize: Option<unsafe extern "C" fn(*const clap_host, u32, u32) -> bool>,
    request_show: Option<unsafe extern "C" fn(*const clap_host) -> bool>,
    request_hide: Option<unsafe extern "C" fn(*const clap_host) -> bool>,
    closed: Option<unsafe extern "C" fn(*const clap_host, bool)>,
}

#[derive(Copy, Clone)]
pub struct HostGui(#[allow(dead_code)] RawExtension<HostExtensionSide, RawHostGui>);

// SAFETY: "clap.gui" is the identifier of clap_host_gui, which RawHostGui mirrors.
unsafe impl Extension for HostGui {
    const IDENTIFIERS: &'static [&'static CStr] = &[c"clap.gui"];
    type ExtensionSide = HostExtensionSide;

    unsafe fn from_raw(raw: RawExtension<HostExtensionSide>) -> Self {
        // SAFETY: the caller guarantees the pointer is a clap_host_gui.
        Self(unsafe { raw.cast() })
    }
}

// SAFETY: RawHostGui is repr(C) and ABI-compatible with clap_host_gui.
unsafe impl ExtensionImplementation<TestHost> for HostGui {
    const IMPLEMENTATION: RawExtensionImplementation = RawExtensionImplementation::new(&RawHostGui {
        resize_hints_changed: Some(gui_resize_hints_changed),
        request_resize: Some(gui_request_resize),
        request_show: Some(gui_request_show),
        request_hide: Some(gui_request_hide),
        closed: Some(gui_closed),
    });
}

fn count_gui_request(host: *const clap_host) -> bool {
    // SAFETY: the plugin passes back the clap_host this host gave it.
    unsafe {
        HostWrapper::<TestHost>::handle(host, |h| {
            h.shared().gui_requests.fetch_add(1, Ordering::SeqCst);
            Ok(true)
        })
    }
    .unwrap_or(false)
}

unsafe extern "C" fn gui_resize_hints_changed(_host: *const clap_host) {}

unsafe extern "C" fn gui_request_resize(host: *const clap_host, _width: u32, _height: u32) -> bool {
    count_gui_request(host)
}

unsafe extern "C" fn gui_request_show(host: *const clap_host) -> bool {
    count_gui_request(host)
}

unsafe extern "C" fn gui_request_hide(host: *const clap_host) -> bool {
    count_gui_request(host)
}

unsafe extern "C" fn gui_closed(host: *const clap_host, _was_destroyed: bool) {
    // SAFETY: as in count_gui_request.
    unsafe {
        HostWrapper::<TestHost>::handle(host, |h| {
            h.shared().gui_closed.fetch_add(1, Ordering::SeqCst);
            Ok(())
        })
    };
}

// ---- a watchdog, so a hung GUI call fails the test run instead of hanging CI ----

/// Ends the whole test process (exit status 1) if it is not dropped within `limit`, saying on
/// stderr (not captured by the test harness) which step it was stuck in. A `clap.gui` call blocks
/// until the editor's window thread answers, so a wedged X server or window thread would
/// otherwise hang `cargo test` for ever.
pub struct Watchdog {
    state: Arc<(Mutex<(bool, String)>, Condvar)>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Watchdog {
    pub fn start(what: &'static str, limit: Duration) -> Self {
        let state = Arc::new((Mutex::new((false, String::from("starting"))), Condvar::new()));
        let watched = Arc::clone(&state);
        let thread = std::thread::spawn(move || {
            let deadline = Instant::now() + limit;
            let (lock, wake) = &*watched;
            let mut guard = lock.lock().unwrap_or_else(|e| e.into_inner());
            loop {
                if guard.0 {
                    return;
                }
                let Some(left) = deadline.checked_duration_since(Instant::now()).filter(|d| !d.is_zero()) else {
                    let _ = writeln!(
                        std::io::stderr(),
                        "WATCHDOG: {what} not done after {limit:?}, stuck at: {}; ending the test process",
                        guard.1
                    );
                    std::process::exit(1);
                };
                guard = wake.wait_timeout(guard, left).unwrap_or_else(|e| e.into_inner()).0;
            }
        });
        Self { state, thread: Some(thread) }
    }

    /// Notes (and prints) the step the test is at.
    pub fn step(&self, step: impl Into<String>) {
        let step = step.into();
        println!("{step}");
        self.state.0.lock().unwrap_or_else(|e| e.into_inner()).1 = step;
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        self.state.0.lock().unwrap_or_else(|e| e.into_inner()).0 = true;
        self.state.1.notify_all();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
