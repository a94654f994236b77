//! The fonts, read once from the system's font folders.

use std::path::Path;
use std::sync::OnceLock;

use typst::foundations::Bytes;
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;

use super::PdfError;

/// Where fonts are looked for, unless `NHANAI_FONT_DIR` (folders separated
/// by `:`) says otherwise: Debian's `fonts-liberation2` and
/// `fonts-dejavu-core`.
pub const FONT_DIRS: &[&str] = &[
    "/usr/share/fonts/truetype/liberation2",
    "/usr/share/fonts/truetype/dejavu",
];

pub struct Fonts {
    pub book: LazyHash<FontBook>,
    pub fonts: Vec<Font>,
}

fn read_dir(dir: &Path, fonts: &mut Vec<Font>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut paths: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    // One order everywhere: the same family found twice resolves alike.
    paths.sort();
    for path in paths {
        if path.is_dir() {
            read_dir(&path, fonts);
            continue;
        }
        let font_file = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| matches!(e.to_ascii_lowercase().as_str(), "ttf" | "otf" | "ttc"));
        if let (true, Ok(data)) = (font_file, std::fs::read(&path)) {
            fonts.extend(Font::iter(Bytes::new(data)));
        }
    }
}

fn load() -> Result<Fonts, PdfError> {
    let dirs: Vec<String> = match std::env::var("NHANAI_FONT_DIR") {
        Ok(dirs) if !dirs.trim().is_empty() => dirs.split(':').map(str::to_owned).collect(),
        _ => FONT_DIRS.iter().map(|d| (*d).to_owned()).collect(),
    };
    let mut fonts = Vec::new();
    for dir in &dirs {
        read_dir(Path::new(dir), &mut fonts);
    }
    if fonts.is_empty() {
        return Err(PdfError::NoFonts(dirs.join(":")));
    }
    Ok(Fonts {
        book: LazyHash::new(FontBook::from_fonts(&fonts)),
        fonts,
    })
}

/// The fonts, loaded at the first document.
pub fn fonts() -> Result<&'static Fonts, PdfError> {
    static FONTS: OnceLock<Result<Fonts, String>> = OnceLock::new();
    FONTS
        .get_or_init(|| load().map_err(|e| e.to_string()))
        .as_ref()
        .map_err(|e| PdfError::NoFonts(e.clone()))
}
