//! The smallest Typst world: one template, one JSON file of data, the
//! system fonts, the standard library. Nothing is read from disk or the
//! network while typesetting.

use std::sync::OnceLock;

use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_layout::PagedDocument;

use super::fonts::{fonts, Fonts};
use super::PdfError;

fn library() -> &'static LazyHash<Library> {
    static LIBRARY: OnceLock<LazyHash<Library>> = OnceLock::new();
    LIBRARY.get_or_init(|| LazyHash::new(Library::default()))
}

fn file_id(path: &str) -> Result<FileId, PdfError> {
    let vpath = VirtualPath::new(path).map_err(|e| PdfError::Typeset(format!("{e:?}")))?;
    Ok(RootedPath::new(VirtualRoot::Project, vpath).intern())
}

struct Document {
    fonts: &'static Fonts,
    main: Source,
    /// `/data.json` and any other file the template reads (an image).
    files: Vec<(FileId, Bytes)>,
}

impl World for Document {
    fn library(&self) -> &LazyHash<Library> {
        library()
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.fonts.book
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        self.files
            .iter()
            .find(|(file, _)| *file == id)
            .map(|(_, bytes)| bytes.clone())
            .ok_or(FileError::AccessDenied)
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.fonts.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        None
    }
}

/// Typesets `template` with `data` as `/data.json`, into PDF bytes.
pub fn typeset(template: &str, data: Vec<u8>) -> Result<Vec<u8>, PdfError> {
    typeset_with(template, data, Vec::new())
}

/// Like `typeset`, with more files the template may read, by path.
pub fn typeset_with(template: &str, data: Vec<u8>, more: Vec<(&str, Vec<u8>)>) -> Result<Vec<u8>, PdfError> {
    let mut files = vec![(file_id("/data.json")?, Bytes::new(data))];
    for (path, bytes) in more {
        files.push((file_id(path)?, Bytes::new(bytes)));
    }
    let world = Document {
        fonts: fonts()?,
        main: Source::new(file_id("/main.typ")?, template.to_owned()),
        files,
    };
    let document: PagedDocument = typst::compile(&world).output.map_err(|errors| {
        PdfError::Typeset(
            errors
                .iter()
                .map(|e| e.message.to_string())
                .collect::<Vec<_>>()
                .join("; "),
        )
    })?;
    typst_pdf::pdf(&document, &typst_pdf::PdfOptions::default()).map_err(|errors| {
        PdfError::Typeset(
            errors
                .iter()
                .map(|e| e.message.to_string())
                .collect::<Vec<_>>()
                .join("; "),
        )
    })
}
