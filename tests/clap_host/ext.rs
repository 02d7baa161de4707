//! The plugin-side CLAP extensions this test host calls, declared by hand: clack-host 0.2 brings
//! the extension machinery but no extensions (those live in clack-extensions, which this project
//! does not depend on). Each struct below mirrors its C struct in the CLAP 1.x headers
//! (`ext/note-ports.h`, `audio-ports.h`, `state.h`, `params.h`, `gui.h`) field for field; plugin
//! and stream pointers are passed untyped because clap-sys is not a direct dependency.
//! Every `clap.gui` call is made on the main thread (the thread that created the instance), as
//! CLAP requires.

use clack_host::events::io::{InputEvents, OutputEvents};
use clack_host::extensions::prelude::*;
use clack_host::stream::{InputStream, OutputStream};
use std::ffi::{c_char, c_ulong, c_void, CStr};

/// `*const clap_plugin`.
type RawPlugin = *const c_void;

fn raw(plugin: &PluginMainThreadHandle) -> RawPlugin {
    plugin.as_raw_ptr().cast()
}

/// A C string field of an info struct, up to its first NUL.
fn c_string(chars: &[c_char]) -> String {
    let bytes: Vec<u8> = chars.iter().take_while(|&&c| c != 0).map(|&c| c as u8).collect();
    String::from_utf8_lossy(&bytes).into_owned()
}

macro_rules! plugin_extension {
    ($(#[$doc:meta])* $name:ident, $raw:ty, $id:expr) => {
        $(#[$doc])*
        #[derive(Copy, Clone)]
        pub struct $name(RawExtension<PluginExtensionSide, $raw>);

        // SAFETY: `$id` is the CLAP identifier of the extension whose C struct `$raw` mirrors.
        unsafe impl Extension for $name {
            const IDENTIFIERS: &'static [&'static CStr] = &[$id];
            type ExtensionSide = PluginExtensionSide;

            unsafe fn from_raw(raw: RawExtension<PluginExtensionSide>) -> Self {
                // SAFETY: the caller guarantees the pointer is this extension's struct.
                Self(unsafe { raw.cast() })
            }
        }
    };
}

// ---- clap.note-ports ----

/// `clap_note_port_info`.
#[repr(C)]
#[derive(Copy, Clone)]
pub struct NotePortInfo {
    pub id: u32,
    pub supported_dialects: u32,
    pub preferred_dialect: u32,
    name: [c_char; 256],
}

impl NotePortInfo {
    pub fn name(&self) -> String {
        c_string(&self.name)
    }
}

#[repr(C)]
#[derive(Copy, Clone)]
pub struct RawNotePorts {
    count: Option<unsafe extern "C" fn(RawPlugin, bool) -> u32>,
    get: Option<unsafe extern "C" fn(RawPlugin, u32, bool, *mut NotePortInfo) -> bool>,
}

plugin_extension!(
    /// The plugin's `clap.note-ports`.
    NotePorts,
    RawNotePorts,
    c"clap.note-ports"
);

impl NotePorts {
    pub fn count(&self, plugin: &PluginMainThreadHandle, is_input: bool) -> u32 {
        let count = plugin.use_extension(&self.0).count.expect("clap.note-ports: count() is null");
        // SAFETY: a valid instance and the extension's own function.
        unsafe { count(raw(plugin), is_input) }
    }

    pub fn get(&self, plugin: &PluginMainThreadHandle, index: u32, is_input: bool) -> Option<NotePortInfo> {
        let get = plugin.use_extension(&self.0).get.expect("clap.note-ports: get() is null");
        let mut info = NotePortInfo { id: u32::MAX, supported_dialects: 0, preferred_dialect: 0, name: [0; 256] };
        // SAFETY: as above; `info` is a valid, writable clap_note_port_info.
        unsafe { get(raw(plugin), index, is_input, &mut info) }.then_some(info)
    }
}

// ---- clap.audio-ports (only counted: this plugin must have none) ----

#[repr(C)]
#[derive(Copy, Clone)]
pub struct RawAudioPorts {
    count: Option<unsafe extern "C" fn(RawPlugin, bool) -> u32>,
    get: Option<unsafe extern "C" fn(RawPlugin, u32, bool, *mut c_void) -> bool>,
}

plugin_extension!(
    /// The plugin's `clap.audio-ports`.
    AudioPorts,
    RawAudioPorts,
    c"clap.audio-ports"
);

impl AudioPorts {
    pub fn count(&self, plugin: &PluginMainThreadHandle, is_input: bool) -> u32 {
        let count = plugin.use_extension(&self.0).count.expect("clap.audio-ports: count() is null");
        // SAFETY: a valid instance and the extension's own function.
        unsafe { count(raw(plugin), is_input) }
    }
}

// ---- clap.state ----

#[repr(C)]
#[derive(Copy, Clone)]
pub struct RawState {
    /// `save(plugin, const clap_ostream *)`.
    save: Option<unsafe extern "C" fn(RawPlugin, *const c_void) -> bool>,
    /// `load(plugin, const clap_istream *)`.
    load: Option<unsafe extern "C" fn(RawPlugin, *const c_void) -> bool>,
}

plugin_extension!(
    /// The plugin's `clap.state`.
    State,
    RawState,
    c"clap.state"
);

impl State {
    /// The plugin's saved state, or `None` if `save` returned false.
    pub fn save(&self, plugin: &PluginMainThreadHandle) -> Option<Vec<u8>> {
        let save = plugin.use_extension(&self.0).save.expect("clap.state: save() is null");
        let mut bytes = Vec::new();
        let mut stream = OutputStream::from_writer(&mut bytes);
        let stream = stream.as_raw_mut() as *mut _ as *const c_void;
        // SAFETY: the stream wraps `bytes` and lives until the call returns.
        let ok = unsafe { save(raw(plugin), stream) };
        ok.then_some(bytes)
    }

    /// Feeds `bytes` to the plugin's `load`; returns what it returned.
    pub fn load(&self, plugin: &PluginMainThreadHandle, bytes: &[u8]) -> bool {
        let load = plugin.use_extension(&self.0).load.expect("clap.state: load() is null");
        let mut reader = std::io::Cursor::new(bytes);
        let mut stream = InputStream::from_reader(&mut reader);
        let stream = stream.as_raw_mut() as *mut _ as *const c_void;
        // SAFETY: the stream wraps `reader` and lives until the call returns.
        unsafe { load(raw(plugin), stream) }
    }
}

// ---- clap.params ----

/// `clap_param_info`.
#[repr(C)]
#[derive(Copy, Clone)]
pub struct ParamInfo {
    pub id: u32,
    pub flags: u32,
    cookie: *mut c_void,
    name: [c_char; 256],
    module: [c_char; 1024],
    pub min_value: f64,
    pub max_value: f64,
    pub default_value: f64,
}

impl ParamInfo {
    pub fn name(&self) -> String {
        c_string(&self.name)
    }
}

#[repr(C)]
#[derive(Copy, Clone)]
pub struct RawParams {
    count: Option<unsafe extern "C" fn(RawPlugin) -> u32>,
    get_info: Option<unsafe extern "C" fn(RawPlugin, u32, *mut ParamInfo) -> bool>,
    get_value: Option<unsafe extern "C" fn(RawPlugin, u32, *mut f64) -> bool>,
    value_to_text: Option<unsafe extern "C" fn(RawPlugin, u32, f64, *mut c_char, u32) -> bool>,
    text_to_value: Option<unsafe extern "C" fn(RawPlugin, u32, *const c_char, *mut f64) -> bool>,
    /// `flush(plugin, const clap_input_events *, const clap_output_events *)`.
    flush: Option<unsafe extern "C" fn(RawPlugin, *const c_void, *const c_void)>,
}

plugin_extension!(
    /// The plugin's `clap.params`.
    Params,
    RawParams,
    c"clap.params"
);

impl Params {
    /// Every parameter's info, in the plugin's order.
    pub fn infos(&self, plugin: &PluginMainThreadHandle) -> Vec<ParamInfo> {
        let ext = plugin.use_extension(&self.0);
        let count = ext.count.expect("clap.params: count() is null");
        let get_info = ext.get_info.expect("clap.params: get_info() is null");
        // SAFETY: a valid instance and the extension's own functions; `info` is writable.
        let n = unsafe { count(raw(plugin)) };
        (0..n)
            .map(|i| {
                let mut info = ParamInfo {
                    id: u32::MAX,
                    flags: 0,
                    cookie: std::ptr::null_mut(),
                    name: [0; 256],
                    module: [0; 1024],
                    min_value: 0.0,
                    max_value: 0.0,
                    default_value: 0.0,
                };
                assert!(unsafe { get_info(raw(plugin), i, &mut info) }, "clap.params: get_info({i}) failed");
                info
            })
            .collect()
    }

    /// The id of the parameter named `name`.
    pub fn id_of(&self, plugin: &PluginMainThreadHandle, name: &str) -> u32 {
        let infos = self.infos(plugin);
        let names: Vec<String> = infos.iter().map(ParamInfo::name).collect();
        infos.iter().find(|i| i.name() == name).unwrap_or_else(|| panic!("no parameter named {name:?} in {names:?}")).id
    }

    pub fn value(&self, plugin: &PluginMainThreadHandle, id: u32) -> f64 {
        let get_value = plugin.use_extension(&self.0).get_value.expect("clap.params: get_value() is null");
        let mut value = f64::NAN;
        // SAFETY: as above; `value` is writable.
        assert!(unsafe { get_value(raw(plugin), id, &mut value) }, "clap.params: get_value({id}) failed");
        value
    }

    /// `flush` with these input events (parameter changes while not processing).
    pub fn flush(&self, plugin: &PluginMainThreadHandle, input: &InputEvents, output: &mut OutputEvents) {
        let flush = plugin.use_extension(&self.0).flush.expect("clap.params: flush() is null");
        let input = input.as_raw() as *const _ as *const c_void;
        let output = output.as_raw() as *const _ as *const c_void;
        // SAFETY: both event lists are valid for the duration of the call.
        unsafe { flush(raw(plugin), input, output) }
    }
}

// ---- clap.gui (plugin side) ----

/// `clap_gui_resize_hints`.
#[repr(C)]
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct ResizeHints {
    pub can_resize_horizontally: bool,
    pub can_resize_vertically: bool,
    pub preserve_aspect_ratio: bool,
    pub aspect_ratio_width: u32,
    pub aspect_ratio_height: u32,
}

/// The union in `clap_window`: `clap_xwnd` (an X11 window id, `unsigned long`) or a pointer.
#[repr(C)]
#[derive(Copy, Clone)]
union WindowSpecific {
    x11: c_ulong,
    /// `cocoa`, `win32` and `ptr`: pointers, which set the union's size on other platforms.
    #[allow(dead_code)]
    ptr: *mut c_void,
}

/// `clap_window`.
#[repr(C)]
#[derive(Copy, Clone)]
struct ClapWindow {
    api: *const c_char,
    specific: WindowSpecific,
}

#[repr(C)]
#[derive(Copy, Clone)]
pub struct RawGui {
    is_api_supported: Option<unsafe extern "C" fn(RawPlugin, *const c_char, bool) -> bool>,
    get_preferred_api: Option<unsafe extern "C" fn(RawPlugin, *mut *const c_char, *mut bool) -> bool>,
    create: Option<unsafe extern "C" fn(RawPlugin, *const c_char, bool) -> bool>,
    destroy: Option<unsafe extern "C" fn(RawPlugin)>,
    set_scale: Option<unsafe extern "C" fn(RawPlugin, f64) -> bool>,
    get_size: Option<unsafe extern "C" fn(RawPlugin, *mut u32, *mut u32) -> bool>,
    can_resize: Option<unsafe extern "C" fn(RawPlugin) -> bool>,
    get_resize_hints: Option<unsafe extern "C" fn(RawPlugin, *mut ResizeHints) -> bool>,
    adjust_size: Option<unsafe extern "C" fn(RawPlugin, *mut u32, *mut u32) -> bool>,
    set_size: Option<unsafe extern "C" fn(RawPlugin, u32, u32) -> bool>,
    set_parent: Option<unsafe extern "C" fn(RawPlugin, *const ClapWindow) -> bool>,
    set_transient: Option<unsafe extern "C" fn(RawPlugin, *const ClapWindow) -> bool>,
    suggest_title: Option<unsafe extern "C" fn(RawPlugin, *const c_char)>,
    show: Option<unsafe extern "C" fn(RawPlugin) -> bool>,
    hide: Option<unsafe extern "C" fn(RawPlugin) -> bool>,
}

plugin_extension!(
    /// The plugin's `clap.gui`.
    Gui,
    RawGui,
    c"clap.gui"
);

/// The X11 window API name.
pub const X11: &CStr = c"x11";

impl Gui {
    fn functions<'a>(&self, plugin: &PluginMainThreadHandle<'a>) -> &'a RawGui {
        plugin.use_extension(&self.0)
    }

    pub fn is_api_supported(&self, plugin: &PluginMainThreadHandle, api: &CStr, floating: bool) -> bool {
        let f = self.functions(plugin).is_api_supported.expect("clap.gui: is_api_supported() is null");
        // SAFETY: a valid instance, the extension's own function and a NUL-terminated string.
        unsafe { f(raw(plugin), api.as_ptr(), floating) }
    }

    /// The plugin's preferred (api, floating), if it has one.
    pub fn preferred_api(&self, plugin: &PluginMainThreadHandle) -> Option<(String, bool)> {
        let f = self.functions(plugin).get_preferred_api?;
        let (mut api, mut floating) = (std::ptr::null(), false);
        // SAFETY: as above; both out-pointers are writable.
        if !unsafe { f(raw(plugin), &mut api, &mut floating) } || api.is_null() {
            return None;
        }
        // SAFETY: the plugin returned a NUL-terminated string it owns.
        Some((unsafe { CStr::from_ptr(api) }.to_string_lossy().into_owned(), floating))
    }

    pub fn create(&self, plugin: &PluginMainThreadHandle, api: &CStr, floating: bool) -> bool {
        let f = self.functions(plugin).create.expect("clap.gui: create() is null");
        // SAFETY: as above.
        unsafe { f(raw(plugin), api.as_ptr(), floating) }
    }

    pub fn size(&self, plugin: &PluginMainThreadHandle) -> Option<(u32, u32)> {
        let f = self.functions(plugin).get_size?;
        let (mut width, mut height) = (0, 0);
        // SAFETY: as above; both out-pointers are writable.
        unsafe { f(raw(plugin), &mut width, &mut height) }.then_some((width, height))
    }

    pub fn can_resize(&self, plugin: &PluginMainThreadHandle) -> bool {
        let f = self.functions(plugin).can_resize.expect("clap.gui: can_resize() is null");
        // SAFETY: a valid instance and the extension's own function.
        unsafe { f(raw(plugin)) }
    }

    /// The plugin's resize hints, or `None` if `get_resize_hints` returned false.
    pub fn resize_hints(&self, plugin: &PluginMainThreadHandle) -> Option<ResizeHints> {
        let f = self.functions(plugin).get_resize_hints.expect("clap.gui: get_resize_hints() is null");
        let mut hints = ResizeHints::default();
        // SAFETY: as above; `hints` is a writable clap_gui_resize_hints.
        unsafe { f(raw(plugin), &mut hints) }.then_some(hints)
    }

    /// The size the plugin would take closest to (width, height), or `None` if it refused.
    pub fn adjust_size(&self, plugin: &PluginMainThreadHandle, width: u32, height: u32) -> Option<(u32, u32)> {
        let f = self.functions(plugin).adjust_size.expect("clap.gui: adjust_size() is null");
        let (mut width, mut height) = (width, height);
        // SAFETY: as above; both pointers are readable and writable.
        unsafe { f(raw(plugin), &mut width, &mut height) }.then_some((width, height))
    }

    pub fn set_size(&self, plugin: &PluginMainThreadHandle, width: u32, height: u32) -> bool {
        let f = self.functions(plugin).set_size.expect("clap.gui: set_size() is null");
        // SAFETY: as above.
        unsafe { f(raw(plugin), width, height) }
    }

    /// Embeds the plugin's window in the X11 window `xid`.
    pub fn set_parent_x11(&self, plugin: &PluginMainThreadHandle, xid: u32) -> bool {
        let f = self.functions(plugin).set_parent.expect("clap.gui: set_parent() is null");
        let window = ClapWindow { api: X11.as_ptr(), specific: WindowSpecific { x11: c_ulong::from(xid) } };
        // SAFETY: as above; `window` is a valid clap_window for the duration of the call.
        unsafe { f(raw(plugin), &window) }
    }

    pub fn show(&self, plugin: &PluginMainThreadHandle) -> bool {
        let f = self.functions(plugin).show.expect("clap.gui: show() is null");
        // SAFETY: as above.
        unsafe { f(raw(plugin)) }
    }

    pub fn hide(&self, plugin: &PluginMainThreadHandle) -> bool {
        let f = self.functions(plugin).hide.expect("clap.gui: hide() is null");
        // SAFETY: as above.
        unsafe { f(raw(plugin)) }
    }

    pub fn destroy(&self, plugin: &PluginMainThreadHandle) {
        let f = self.functions(plugin).destroy.expect("clap.gui: destroy() is null");
        // SAFETY: as above.
        unsafe { f(raw(plugin)) }
    }
}
