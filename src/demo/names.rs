//! Vietnamese name material for demo data, with family-name frequencies
//! close to the population's (Nguyễn about 38 %, Trần 11 %, Lê 9.5 % …).

/// (family name, weight in tenths of a percent).
pub const FAMILY: [(&str, u32); 20] = [
    ("Nguyễn", 380),
    ("Trần", 110),
    ("Lê", 95),
    ("Phạm", 70),
    ("Hoàng", 30),
    ("Huỳnh", 21),
    ("Phan", 45),
    ("Vũ", 22),
    ("Võ", 17),
    ("Đặng", 21),
    ("Bùi", 20),
    ("Đỗ", 14),
    ("Hồ", 13),
    ("Ngô", 13),
    ("Dương", 10),
    ("Lý", 5),
    ("Đinh", 8),
    ("Trương", 7),
    ("Lương", 5),
    ("Mai", 4),
];

pub const MIDDLE_MALE: [&str; 12] = [
    "Văn", "Văn", "Văn", "Đức", "Minh", "Quang", "Hữu", "Thanh", "Công", "Ngọc", "Xuân", "Đình",
];
pub const MIDDLE_FEMALE: [&str; 12] = [
    "Thị", "Thị", "Thị", "Thị", "Ngọc", "Thu", "Thanh", "Minh", "Hồng", "Kim", "Phương", "Bích",
];

pub const GIVEN_MALE: [&str; 40] = [
    "An", "Anh", "Bảo", "Bình", "Cường", "Dũng", "Dương", "Đạt", "Đức", "Giang", "Hải", "Hiếu", "Hoàng", "Hùng", "Huy",
    "Khánh", "Khoa", "Lâm", "Long", "Lộc", "Minh", "Nam", "Nghĩa", "Phong", "Phúc", "Quân", "Quang", "Sơn", "Tài",
    "Thắng", "Thành", "Thịnh", "Toàn", "Trung", "Tuấn", "Tùng", "Việt", "Vinh", "Vũ", "Khôi",
];

pub const GIVEN_FEMALE: [&str; 40] = [
    "An", "Anh", "Châu", "Chi", "Diệp", "Dung", "Duyên", "Giang", "Hà", "Hằng", "Hạnh", "Hiền", "Hoa", "Hồng", "Hương",
    "Huyền", "Lan", "Liên", "Linh", "Loan", "Mai", "My", "Nga", "Ngân", "Ngọc", "Nhung", "Oanh", "Phương", "Quỳnh",
    "Tâm", "Thảo", "Thu", "Thủy", "Trang", "Trinh", "Tuyết", "Uyên", "Vân", "Xuân", "Yến",
];

pub const BRANCH_NAMES: [(&str, &str); 5] = [
    ("Chi hội Tổ dân phố số {n}", "residential"),
    ("Chi hội Trường Tiểu học {place}", "school"),
    ("Chi hội Thôn {n}", "residential"),
    ("Chi hội Cơ quan Ủy ban nhân dân {place}", "agency"),
    ("Chi hội Công ty TNHH {place}", "enterprise"),
];

pub const STREETS: [&str; 8] = ["Tổ", "Thôn", "Xóm", "Ấp", "Khu phố", "Bản", "Tổ dân phố", "Đội"];
