//! Named units of the official 2025 tree, as the tests use them.

/// The central office.
pub const TW: &str = "TW";
/// Thành phố Hà Nội.
pub const HA_NOI: &str = "01";
/// Phường Ba Đình, Hà Nội.
pub const BA_DINH: &str = "00004";
/// Phường Ngọc Hà, Hà Nội (Ba Đình's neighbour).
pub const NGOC_HA: &str = "00008";
/// Phường Giảng Võ, Hà Nội.
pub const GIANG_VO: &str = "00025";
/// Thành phố Hải Phòng.
pub const HAI_PHONG: &str = "31";
/// Phường Thành Đông, Hải Phòng.
pub const THANH_DONG: &str = "10507";
/// Phường Hải Dương, Hải Phòng.
pub const HAI_DUONG: &str = "10525";
