//! The host's side of an embedded editor on X11: a plain top-level window on the root window of
//! `$DISPLAY`, made with x11rb (a pure-Rust X11 client) on a connection of its own, which the
//! plugin's window is reparented into by `clap.gui` `set_parent`. Through the same connection the
//! test looks at what the plugin did: its window among the children, its size, whether it is
//! mapped, its pixels. Dropping a `HostWindow` destroys the window.
//!
//! One connection serves the whole test, as a DAW keeps its own: Xvfb resets itself when its last
//! client disconnects, and a connection made during that reset is refused.

use std::fmt::Display;
use x11rb::connection::Connection;
use x11rb::protocol::xproto::{
    AtomEnum, ConfigureWindowAux, ConnectionExt as _, CreateWindowAux, ImageFormat, MapState, PropMode, Window,
    WindowClass,
};
use x11rb::rust_connection::RustConnection;
use x11rb::wrapper::ConnectionExt as _;
use x11rb::COPY_DEPTH_FROM_PARENT;
use x11rb::COPY_FROM_PARENT;

/// The host window's background (magenta): what shows where the editor did not draw.
pub const BACKGROUND: u32 = 0xFF_00_FF;

fn ok<T, E: Display>(result: Result<T, E>, what: &str) -> T {
    result.unwrap_or_else(|e| panic!("X11 host window: {what} failed: {e}"))
}

/// The host's connection to the X server.
pub struct X11Host {
    conn: RustConnection,
    root: Window,
}

impl X11Host {
    /// Connects to `$DISPLAY`. Panics if that fails: with `DISPLAY` set, that is a failure, not a
    /// reason to skip.
    pub fn connect() -> Self {
        let display = std::env::var("DISPLAY").unwrap_or_default();
        let (conn, screen) = x11rb::connect(None)
            .unwrap_or_else(|e| panic!("DISPLAY is {display:?}, but connecting to that X server failed: {e}"));
        let root = conn.setup().roots[screen].root;
        Self { conn, root }
    }

    /// The top-level windows on the screen (every client's).
    pub fn top_level_windows(&self) -> Vec<Window> {
        ok(ok(self.conn.query_tree(self.root), "QueryTree(root)").reply(), "QueryTree(root)").children
    }

    /// Maps a `width` × `height` window at the root's top left.
    pub fn open_window(&self, width: u32, height: u32, title: &str) -> HostWindow<'_> {
        let conn = &self.conn;
        let id = ok(conn.generate_id(), "generate_id");
        let (w, h) = dimensions(width, height);
        let aux = CreateWindowAux::new().background_pixel(BACKGROUND);
        let cookie = conn.create_window(
            COPY_DEPTH_FROM_PARENT,
            id,
            self.root,
            0,
            0,
            w,
            h,
            0,
            WindowClass::INPUT_OUTPUT,
            COPY_FROM_PARENT,
            &aux,
        );
        ok(ok(cookie, "CreateWindow").check(), "CreateWindow");
        let window = HostWindow { conn, id };
        let cookie =
            conn.change_property8(PropMode::REPLACE, id, AtomEnum::WM_NAME, AtomEnum::STRING, title.as_bytes());
        ok(ok(cookie, "setting WM_NAME").check(), "setting WM_NAME");
        ok(ok(conn.map_window(id), "MapWindow").check(), "MapWindow");
        window
    }
}

/// A window of the host's, on the host's connection.
pub struct HostWindow<'a> {
    conn: &'a RustConnection,
    pub id: Window,
}

impl HostWindow<'_> {
    pub fn resize(&self, width: u32, height: u32) {
        let (w, h) = dimensions(width, height);
        let aux = ConfigureWindowAux::new().width(u32::from(w)).height(u32::from(h));
        ok(ok(self.conn.configure_window(self.id, &aux), "ConfigureWindow").check(), "ConfigureWindow");
    }

    /// The windows embedded in this one.
    pub fn children(&self) -> Vec<Window> {
        ok(ok(self.conn.query_tree(self.id), "QueryTree").reply(), "QueryTree").children
    }

    /// (width, height) of `window`.
    pub fn size_of(&self, window: Window) -> (u32, u32) {
        let geometry = ok(ok(self.conn.get_geometry(window), "GetGeometry").reply(), "GetGeometry");
        (u32::from(geometry.width), u32::from(geometry.height))
    }

    /// Whether `window` is mapped and all its ancestors are (the user could see it).
    pub fn is_viewable(&self, window: Window) -> bool {
        let attributes =
            ok(ok(self.conn.get_window_attributes(window), "GetWindowAttributes").reply(), "GetWindowAttributes");
        attributes.map_state == MapState::VIEWABLE
    }

    /// The pixels of `window` (0xRRGGBB), or `None` if the server cannot give them now (the
    /// window is not viewable).
    pub fn snapshot(&self, window: Window) -> Option<Snapshot> {
        let (width, height) = self.size_of(window);
        let (w, h) = dimensions(width, height);
        let image = ok(self.conn.get_image(ImageFormat::Z_PIXMAP, window, 0, 0, w, h, !0), "GetImage").reply().ok()?;
        let pixels = usize::from(w) * usize::from(h);
        assert_eq!(
            image.data.len(),
            pixels * 4,
            "GetImage of a {w}×{h} window of depth {}: expected 32 bits a pixel",
            image.depth
        );
        let pixels =
            image.data.chunks_exact(4).map(|p| u32::from_le_bytes([p[0], p[1], p[2], p[3]]) & 0xFF_FF_FF).collect();
        Some(Snapshot { width, height, pixels })
    }
}

impl Drop for HostWindow<'_> {
    fn drop(&mut self) {
        // Best effort, also while a failed test unwinds; a round trip so it is done on return.
        let _ = self.conn.destroy_window(self.id);
        let _ = self.conn.get_input_focus().map(|cookie| cookie.reply());
    }
}

fn dimensions(width: u32, height: u32) -> (u16, u16) {
    let fit = |v: u32| u16::try_from(v).unwrap_or_else(|_| panic!("window dimension {v} beyond X11's 65535"));
    (fit(width), fit(height))
}

#[derive(PartialEq, Eq)]
pub struct Snapshot {
    pub width: u32,
    pub height: u32,
    pixels: Vec<u32>,
}

impl Snapshot {
    pub fn distinct_colours(&self) -> usize {
        let mut colours = self.pixels.clone();
        colours.sort_unstable();
        colours.dedup();
        colours.len()
    }

    /// The share of pixels in the host window's background colour.
    pub fn background_share(&self) -> f64 {
        self.pixels.iter().filter(|&&p| p == BACKGROUND).count() as f64 / self.pixels.len().max(1) as f64
    }

    /// Drawn by an editor: many colours (text, controls), little of the host's background.
    pub fn looks_drawn(&self) -> bool {
        self.distinct_colours() >= 16 && self.background_share() < 0.5
    }

    /// How many pixels differ from `other` (of the same size).
    pub fn pixels_differing_from(&self, other: &Snapshot) -> usize {
        if (self.width, self.height) != (other.width, other.height) {
            return self.pixels.len().max(other.pixels.len());
        }
        self.pixels.iter().zip(&other.pixels).filter(|(a, b)| a != b).count()
    }
}
